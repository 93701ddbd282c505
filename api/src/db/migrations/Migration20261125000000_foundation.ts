import { Migration } from "@mikro-orm/migrations";

/**
 * The foundation schema: accounts and API keys, models, provider nodes, tasks, and the
 * double-entry ledger. Money is bigint smallest units. Database constraints, not only code,
 * keep the money right:
 *  - (task_id, kind) unique on ledger_transactions: one hold, one capture, one refund per task;
 *  - a deferred constraint trigger: the entries of a transaction sum to zero at commit;
 *  - balances of clients' and providers' accounts never go negative.
 */
export class Migration20261125000000_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table accounts (
        id uuid primary key,
        name text not null unique,
        role text not null check (role in ('client', 'provider', 'admin')),
        created_at timestamptz not null
      );
      create table api_keys (
        id uuid primary key,
        account_id uuid not null references accounts(id) on delete cascade,
        prefix text not null,
        key_hash text not null unique,
        label text not null default '',
        created_at timestamptz not null,
        revoked_at timestamptz null
      );
      create index api_keys_account_id_index on api_keys(account_id);
      create table models (
        id uuid primary key,
        name text not null,
        version text not null,
        manifest jsonb not null,
        price_per_call bigint not null check (price_per_call >= 0),
        created_at timestamptz not null,
        unique (name, version)
      );
      create table nodes (
        id text primary key,
        provider_id uuid not null references accounts(id),
        created_at timestamptz not null
      );
      create table tasks (
        id uuid primary key,
        account_id uuid not null references accounts(id),
        model_id uuid not null references models(id),
        idempotency_key text null,
        priority integer not null default 0,
        status text not null check (status in ('QUEUED','SCHEDULED','RUNNING','COMPLETED','FAILED','CANCELLED')),
        input jsonb not null,
        result jsonb null,
        error text null,
        max_price bigint not null check (max_price >= 0),
        cost bigint null check (cost >= 0 and cost <= max_price),
        platform_fee bigint null,
        provider_earning bigint null,
        execution_provider text null,
        node_id text null,
        actor_id text null,
        inference_ms double precision null,
        attempts integer not null default 0,
        created_at timestamptz not null,
        scheduled_at timestamptz null,
        started_at timestamptz null,
        finished_at timestamptz null,
        unique (account_id, idempotency_key)
      );
      create index tasks_status_index on tasks(status);
      create table ledger_accounts (
        id uuid primary key,
        kind text not null check (kind in ('external','platform_fees','client_available','client_held','provider_earnings')),
        owner_id uuid null references accounts(id),
        balance bigint not null default 0,
        unique nulls not distinct (kind, owner_id),
        check (kind = 'external' or balance >= 0)
      );
      create table ledger_transactions (
        id uuid primary key,
        kind text not null check (kind in ('deposit','hold','capture','refund')),
        task_id uuid null references tasks(id),
        memo text not null default '',
        created_at timestamptz not null,
        unique (task_id, kind)
      );
      create table ledger_entries (
        id bigserial primary key,
        transaction_id uuid not null references ledger_transactions(id),
        account_id uuid not null references ledger_accounts(id),
        amount bigint not null,
        created_at timestamptz not null
      );
      create index ledger_entries_account_id_index on ledger_entries(account_id);
      create index ledger_entries_transaction_id_index on ledger_entries(transaction_id);

      create function ledger_transaction_balanced() returns trigger language plpgsql as $$
      begin
        if (select coalesce(sum(amount), 0) from ledger_entries where transaction_id = new.transaction_id) <> 0 then
          raise exception 'ledger transaction % does not balance', new.transaction_id;
        end if;
        return null;
      end $$;
      create constraint trigger ledger_entries_balanced after insert on ledger_entries
        deferrable initially deferred for each row execute function ledger_transaction_balanced();
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table ledger_entries; drop table ledger_transactions; drop table ledger_accounts;
      drop function ledger_transaction_balanced();
      drop table tasks; drop table nodes; drop table models; drop table api_keys; drop table accounts;
    `);
  }
}
