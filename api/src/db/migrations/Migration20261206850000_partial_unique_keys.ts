import { Migration } from "@mikro-orm/migrations";

/**
 * The unique keys on columns that most rows leave null become partial unique indexes over the
 * rows that set them, with the names the constraints had. A null never conflicts with anything,
 * so what is refused is the same: one movement of each kind per payout, chain signature,
 * withdrawal and stake move, one task per (account, idempotency key). What changes is the cost:
 * every hold and every capture wrote an entry for its null into each of the four ledger
 * transaction keys, and every task (and, the settle's update not being HOT, every settle) one
 * into the idempotency key, none of which any look-up or conflict could ever use.
 *
 * Conflict handling is unchanged: the ledger's inserts use `on conflict do nothing` with no
 * target, for which partial unique indexes are arbiters too, and the idempotent submit tells a
 * taken key by the unique violation's code (tasks/submit-task.ts).
 */
const KEYS: { table: string; name: string; columns: string; nullable: string }[] = [
  {
    table: "ledger_transactions",
    name: "ledger_transactions_payout_kind_unique",
    columns: "payout_id, kind",
    nullable: "payout_id",
  },
  {
    table: "ledger_transactions",
    name: "ledger_transactions_chain_signature_kind_unique",
    columns: "chain_signature, kind",
    nullable: "chain_signature",
  },
  {
    table: "ledger_transactions",
    name: "ledger_transactions_withdrawal_kind_unique",
    columns: "withdrawal_id, kind",
    nullable: "withdrawal_id",
  },
  {
    table: "ledger_transactions",
    name: "ledger_transactions_stake_move_kind_unique",
    columns: "stake_move_id, kind",
    nullable: "stake_move_id",
  },
  {
    table: "tasks",
    name: "tasks_account_id_idempotency_key_key",
    columns: "account_id, idempotency_key",
    nullable: "idempotency_key",
  },
];

export class Migration20261206850000_partial_unique_keys extends Migration {
  override async up(): Promise<void> {
    for (const k of KEYS) {
      this.addSql(`alter table ${k.table} drop constraint ${k.name};`);
      this.addSql(
        `create unique index ${k.name} on ${k.table} (${k.columns}) where ${k.nullable} is not null;`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const k of KEYS) {
      this.addSql(`drop index ${k.name};`);
      this.addSql(`alter table ${k.table} add constraint ${k.name} unique (${k.columns});`);
    }
  }
}
