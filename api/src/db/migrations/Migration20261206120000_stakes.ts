import { Migration } from "@mikro-orm/migrations";

/**
 * Provider stakes: NEURO a provider moves from its earnings into its stake (`stake`), and takes
 * back through a cooling-off period: `unstake` moves it stake -> cooling at once, and once the
 * period has passed `unstake_released` moves it cooling -> earnings (paid out as any earnings).
 * One row per move in stake_moves; each movement once per move (unique (stake_move_id, kind)).
 */
export class Migration20261206120000_stakes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table ledger_accounts drop constraint ledger_accounts_kind_check;
      alter table ledger_accounts add constraint ledger_accounts_kind_check check (kind in
        ('external','platform_fees','client_available','client_held','provider_earnings','payouts_in_flight',
         'unmatched_deposits','withdrawals_in_flight','provider_stake','stake_cooling'));
      alter table ledger_transactions drop constraint ledger_transactions_kind_check;
      alter table ledger_transactions add constraint ledger_transactions_kind_check check (kind in
        ('deposit','hold','capture','refund','payout','payout_settled','payout_returned','chain_deposit',
         'withdrawal','withdrawal_settled','withdrawal_returned','stake','unstake','unstake_released'));
      alter table ledger_transactions add column stake_move_id uuid null;
      alter table ledger_transactions add constraint ledger_transactions_stake_move_kind_unique
        unique (stake_move_id, kind);

      create table stake_moves (
        id uuid primary key,
        provider_id uuid not null references accounts(id),
        kind text not null check (kind in ('STAKE','UNSTAKE')),
        amount bigint not null check (amount > 0),
        status text not null check (status in ('DONE','COOLING','RELEASED')),
        created_at timestamptz not null,
        releases_at timestamptz null,
        released_at timestamptz null
      );
      create index stake_moves_provider_index on stake_moves(provider_id, created_at desc);
      create index stake_moves_cooling_index on stake_moves(releases_at) where status = 'COOLING';
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table stake_moves;
      alter table ledger_transactions drop constraint ledger_transactions_stake_move_kind_unique;
      alter table ledger_transactions drop column stake_move_id;
    `);
  }
}
