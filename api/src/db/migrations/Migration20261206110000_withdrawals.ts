import { Migration } from "@mikro-orm/migrations";

/**
 * Client withdrawals to their linked wallets, through the payouts' safe sender:
 * - withdrawals: PENDING (amount moved client available -> withdrawals in flight at request
 *   time, movement `withdrawal`) -> CONFIRMED (in flight -> external, `withdrawal_settled`) or
 *   FAILED (in flight -> back to the client, `withdrawal_returned`); each movement once per
 *   withdrawal (unique (withdrawal_id, kind)).
 * - withdrawal_attempts: contracts' PayoutAttemptStore for withdrawals (the signed bytes, stored
 *   before sending; a withdrawal in at most one pending or confirmed attempt: partial unique index).
 */
export class Migration20261206110000_withdrawals extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table ledger_accounts drop constraint ledger_accounts_kind_check;
      alter table ledger_accounts add constraint ledger_accounts_kind_check check (kind in
        ('external','platform_fees','client_available','client_held','provider_earnings','payouts_in_flight',
         'unmatched_deposits','withdrawals_in_flight'));
      alter table ledger_transactions drop constraint ledger_transactions_kind_check;
      alter table ledger_transactions add constraint ledger_transactions_kind_check check (kind in
        ('deposit','hold','capture','refund','payout','payout_settled','payout_returned','chain_deposit',
         'withdrawal','withdrawal_settled','withdrawal_returned'));
      alter table ledger_transactions add column withdrawal_id uuid null;
      alter table ledger_transactions add constraint ledger_transactions_withdrawal_kind_unique
        unique (withdrawal_id, kind);

      create table withdrawals (
        id uuid primary key,
        account_id uuid not null references accounts(id),
        wallet text not null,
        amount bigint not null check (amount > 0),
        status text not null check (status in ('PENDING','CONFIRMED','FAILED')),
        signature text null,
        error text null,
        created_at timestamptz not null,
        settled_at timestamptz null
      );
      create index withdrawals_account_index on withdrawals(account_id, created_at desc, id desc);
      create index withdrawals_pending_index on withdrawals(created_at) where status = 'PENDING';
      create table withdrawal_attempts (
        signature text primary key,
        withdrawal_id uuid not null references withdrawals(id),
        transaction bytea not null,
        last_valid_block_height bigint not null,
        state text not null check (state in ('pending','confirmed','failed','expired')),
        slot bigint null,
        error text null,
        seq bigserial not null
      );
      create index withdrawal_attempts_withdrawal_index on withdrawal_attempts(withdrawal_id, seq);
      create unique index withdrawal_attempts_live_unique on withdrawal_attempts(withdrawal_id)
        where state in ('pending','confirmed');
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table withdrawal_attempts; drop table withdrawals;
      alter table ledger_transactions drop constraint ledger_transactions_withdrawal_kind_unique;
      alter table ledger_transactions drop column withdrawal_id;
    `);
  }
}
