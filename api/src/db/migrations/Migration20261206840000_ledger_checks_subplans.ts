import { Migration } from "@mikro-orm/migrations";
import { ledgerEntriesChecked } from "./ledger-entries-checked.js";
import { checkedFunction } from "./Migration20261206520000_ledger_checks_replanned.js";

/**
 * The ledger's statement check again (Migration20261206520000_ledger_checks_replanned): planning
 * its two existence checks afresh for every statement kept them index look-ups as the tables
 * grew, but the planning was most of the trigger's time, paid by every hold and every capture
 * (EXPLAIN ANALYZE of a single hold: the trigger 1.6 ms of 3.6; a prepared hold 0.88 ms, 0.76 ms
 * with this). Each check is now written as a correlated scalar subquery per new entry, a shape
 * the planner cannot turn into a join: static SQL, planned once per connection, and an index
 * look-up per entry however large or small the tables were when it was planned. The rules are
 * unchanged.
 */
const TX_MISSING = `select n.transaction_id into bad from new_entries n
   where (select t.id from ledger_transactions t where t.id = n.transaction_id) is null limit 1;`;
const ACCOUNT_MISSING = `select n.account_id into bad from new_entries n
   where (select a.id from ledger_accounts a where a.id = n.account_id) is null limit 1;`;

export class Migration20261206840000_ledger_checks_subplans extends Migration {
  override async up(): Promise<void> {
    this.addSql(ledgerEntriesChecked(TX_MISSING, ACCOUNT_MISSING));
  }

  override async down(): Promise<void> {
    this.addSql(checkedFunction(true));
  }
}
