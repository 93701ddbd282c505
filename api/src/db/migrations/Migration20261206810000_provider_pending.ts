import { Migration } from "@mikro-orm/migrations";

/**
 * A provider's earnings are held before they can be paid out (ledger/verification-money.ts):
 * a capture credits the provider's `provider_pending` account, and a `release` moves a task's
 * share on to `provider_earnings` once the task is verified, or its verification window has
 * passed with no check open. A task whose node is found at fault has its share `forfeit`ed
 * (back to the client, with the platform's fee) and a `penalty` taken from the node's provider's
 * pending balance. A client may ask for a check of its own task (`verify`), paying the extra run;
 * a `verification_refund` gives that back when the check could not run. Each of these at most
 * once per task: the unique (task_id, kind).
 *
 * `earnings_pending` marks the tasks whose share is still pending, so the window's release finds
 * them through a small partial index however many tasks there are.
 */
export class Migration20261206810000_provider_pending extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table ledger_accounts drop constraint ledger_accounts_kind_check;
      alter table ledger_accounts add constraint ledger_accounts_kind_check check (kind in
        ('external','platform_fees','client_available','client_held','provider_earnings','payouts_in_flight',
         'unmatched_deposits','withdrawals_in_flight','provider_stake','stake_cooling','provider_pending'));
      alter table ledger_transactions drop constraint ledger_transactions_kind_check;
      alter table ledger_transactions add constraint ledger_transactions_kind_check check (kind in
        ('deposit','hold','capture','refund','payout','payout_settled','payout_returned','chain_deposit',
         'withdrawal','withdrawal_settled','withdrawal_returned','stake','unstake','unstake_released',
         'release','forfeit','penalty','verification_refund'));
      alter table tasks add column verify boolean not null default false;
      alter table tasks add column earnings_pending boolean not null default false;
      create index tasks_earnings_pending_index on tasks(finished_at) where earnings_pending;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index tasks_earnings_pending_index;
      alter table tasks drop column earnings_pending;
      alter table tasks drop column verify;
      alter table ledger_transactions drop constraint ledger_transactions_kind_check;
      alter table ledger_transactions add constraint ledger_transactions_kind_check check (kind in
        ('deposit','hold','capture','refund','payout','payout_settled','payout_returned','chain_deposit',
         'withdrawal','withdrawal_settled','withdrawal_returned','stake','unstake','unstake_released'));
      alter table ledger_accounts drop constraint ledger_accounts_kind_check;
      alter table ledger_accounts add constraint ledger_accounts_kind_check check (kind in
        ('external','platform_fees','client_available','client_held','provider_earnings','payouts_in_flight',
         'unmatched_deposits','withdrawals_in_flight','provider_stake','stake_cooling'));
    `);
  }
}
