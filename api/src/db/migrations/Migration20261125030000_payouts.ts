import { Migration } from "@mikro-orm/migrations";

/**
 * Payouts on Solana: wallets proven by signature (single-use challenges), payouts and their
 * ledger movements (earnings -> payouts in flight -> external, or back to earnings), the
 * durable record of every signed payout transaction (contracts' PayoutAttemptStore: a payout is
 * in at most one pending or confirmed transaction, enforced by a partial unique index), and the
 * recipients' address lookup tables.
 */
export class Migration20261125030000_payouts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table ledger_accounts drop constraint ledger_accounts_kind_check;
      alter table ledger_accounts add constraint ledger_accounts_kind_check check (kind in
        ('external','platform_fees','client_available','client_held','provider_earnings','payouts_in_flight'));
      alter table ledger_transactions drop constraint ledger_transactions_kind_check;
      alter table ledger_transactions add constraint ledger_transactions_kind_check check (kind in
        ('deposit','hold','capture','refund','payout','payout_settled','payout_returned'));
      alter table ledger_transactions add column payout_id uuid null;
      alter table ledger_transactions add constraint ledger_transactions_payout_kind_unique unique (payout_id, kind);

      create table wallets (
        account_id uuid primary key references accounts(id) on delete cascade,
        address text not null unique,
        token_account text null,
        linked_at timestamptz not null
      );
      create table wallet_challenges (
        nonce text primary key,
        account_id uuid not null references accounts(id) on delete cascade,
        address text not null,
        message text not null,
        expires_at timestamptz not null,
        used_at timestamptz null
      );
      create table payouts (
        id uuid primary key,
        provider_id uuid not null references accounts(id),
        wallet text not null,
        amount bigint not null check (amount > 0),
        status text not null check (status in ('PENDING','CONFIRMED','FAILED')),
        batch_id uuid null,
        signature text null,
        error text null,
        created_at timestamptz not null,
        settled_at timestamptz null
      );
      create index payouts_provider_id_created_at_index on payouts(provider_id, created_at desc, id desc);
      create index payouts_status_index on payouts(status);
      create table payout_attempts (
        signature text primary key,
        batch_id uuid not null,
        transaction bytea not null,
        last_valid_block_height bigint not null,
        state text not null check (state in ('pending','confirmed','failed','expired')),
        slot bigint null,
        error text null,
        seq bigserial not null
      );
      create index payout_attempts_batch_id_index on payout_attempts(batch_id, seq);
      create table payout_attempt_payouts (
        signature text not null references payout_attempts(signature),
        payout_id uuid not null references payouts(id),
        state text not null,
        primary key (signature, payout_id)
      );
      create unique index payout_attempt_payouts_live_unique on payout_attempt_payouts(payout_id)
        where state in ('pending','confirmed');
      create table lookup_tables (
        address text primary key,
        created_at timestamptz not null default now()
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table lookup_tables; drop table payout_attempt_payouts; drop table payout_attempts;
      drop table payouts; drop table wallet_challenges; drop table wallets;
      alter table ledger_transactions drop constraint ledger_transactions_payout_kind_unique;
      alter table ledger_transactions drop column payout_id;
    `);
  }
}
