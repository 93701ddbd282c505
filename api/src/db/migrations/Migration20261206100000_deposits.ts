import { Migration } from "@mikro-orm/migrations";

/**
 * NEURO deposits from the chain (Solana Pay transfer requests and transfers from linked
 * wallets), and the treasury's alerts.
 *
 * - deposit_requests: one per depositRequest, found on chain by its unique reference key;
 *   PENDING -> SEEN (paid, confirmed) -> CREDITED (finalized), or EXPIRED unpaid.
 * - chain_transfers: every transaction the deposit watcher read that touched the treasury's
 *   token account (or named a request's reference), keyed by its signature: SEEN until
 *   finalized, then CREDITED (to a client), UNMATCHED (held in the `unmatched_deposits` account,
 *   credited to nobody) or OTHER (nothing came in: a payout, an account creation, a transfer that
 *   missed the treasury). A signature moves from SEEN to a final state once.
 * - ledger movement `chain_deposit` (external -> client available, or -> unmatched deposits),
 *   unique per (chain_signature, kind): a signature is credited once, whatever runs it.
 * - gpu_alerts also carries the treasury reconciliation's alert (metric 'treasury').
 */
export class Migration20261206100000_deposits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table ledger_accounts drop constraint ledger_accounts_kind_check;
      alter table ledger_accounts add constraint ledger_accounts_kind_check check (kind in
        ('external','platform_fees','client_available','client_held','provider_earnings','payouts_in_flight',
         'unmatched_deposits'));
      alter table ledger_transactions drop constraint ledger_transactions_kind_check;
      alter table ledger_transactions add constraint ledger_transactions_kind_check check (kind in
        ('deposit','hold','capture','refund','payout','payout_settled','payout_returned','chain_deposit'));
      alter table ledger_transactions add column chain_signature text null;
      alter table ledger_transactions add constraint ledger_transactions_chain_signature_kind_unique
        unique (chain_signature, kind);

      create table deposit_requests (
        id uuid primary key,
        account_id uuid not null references accounts(id),
        reference text not null unique,
        amount bigint not null check (amount > 0),
        memo text not null,
        status text not null check (status in ('PENDING','SEEN','CREDITED','EXPIRED')),
        signature text null,
        credited_amount bigint null,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        settled_at timestamptz null
      );
      create index deposit_requests_open_index on deposit_requests(expires_at) where status in ('PENDING','SEEN');
      create index deposit_requests_account_index on deposit_requests(account_id, created_at desc);

      create table chain_transfers (
        signature text primary key,
        slot bigint not null,
        status text not null check (status in ('SEEN','CREDITED','UNMATCHED','OTHER')),
        amount bigint not null,
        account_id uuid null references accounts(id),
        request_id uuid null references deposit_requests(id),
        sender text null,
        reason text null,
        seen_at timestamptz not null,
        settled_at timestamptz null
      );
      create index chain_transfers_status_index on chain_transfers(status, seen_at desc);

      alter table gpu_alerts drop constraint gpu_alerts_metric_check;
      alter table gpu_alerts add constraint gpu_alerts_metric_check
        check (metric in ('temperature', 'memory', 'power', 'treasury'));
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      alter table gpu_alerts drop constraint gpu_alerts_metric_check;
      alter table gpu_alerts add constraint gpu_alerts_metric_check check (metric in ('temperature', 'memory', 'power'));
      drop table chain_transfers; drop table deposit_requests;
      alter table ledger_transactions drop constraint ledger_transactions_chain_signature_kind_unique;
      alter table ledger_transactions drop column chain_signature;
    `);
  }
}
