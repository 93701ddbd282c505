import { Migration } from "@mikro-orm/migrations";
import { ledgerEntriesChecked } from "./ledger-entries-checked.js";

/**
 * The ledger's statement check (Migration20261203000000_ledger_statement_checks) plans its two
 * existence checks afresh for each statement (EXECUTE). As a static query, PL/pgSQL planned it
 * once per connection and kept the plan: made while ledger_transactions was nearly empty, it
 * hashed the whole table for every statement after, so each hold and each capture took longer
 * as the ledger grew (a sequential submit 4 ms on a fresh database, 10 ms after 12,000 tasks,
 * 4 ms again after ANALYZE replanned it). Planned each time, both are index look-ups however
 * large the tables are. The rules are unchanged.
 */
const TX_MISSING = `select n.transaction_id from new_entries n
  where not exists (select 1 from ledger_transactions t where t.id = n.transaction_id) limit 1`;
const ACCOUNT_MISSING = `select n.account_id from new_entries n
  where not exists (select 1 from ledger_accounts a where a.id = n.account_id) limit 1`;

/** The check function, its two existence queries run `planned` each time or as static SQL. */
export function checkedFunction(planned: boolean): string {
  const first = (query: string) =>
    planned
      ? `execute '${query}' into bad;`
      : `${query.replace(/^select ([^ ]+) from/, "select $1 into bad from")};`;
  return ledgerEntriesChecked(first(TX_MISSING), first(ACCOUNT_MISSING));
}

export class Migration20261206520000_ledger_checks_replanned extends Migration {
  override async up(): Promise<void> {
    this.addSql(checkedFunction(true));
  }

  override async down(): Promise<void> {
    this.addSql(checkedFunction(false));
  }
}
