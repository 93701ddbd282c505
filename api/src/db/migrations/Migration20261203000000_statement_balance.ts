import { Migration } from "@mikro-orm/migrations";

/**
 * The ledger's balance rule, checked once per statement instead of once per entry at commit.
 *
 * Before: a deferred constraint trigger ran for EACH entry row at commit, summing that entry's
 * transaction (a plpgsql call and an index scan per row: five per task, all of them while the
 * statement's account locks are held, up to the commit). Now: an AFTER INSERT trigger FOR EACH
 * STATEMENT reads the statement's new entries (a transition table) and refuses the statement if
 * the entries it adds to any ledger transaction do not sum to zero.
 *
 * That is the same rule for this codebase, and stricter in general: every movement writes all
 * of its legs in ONE statement (ledger.ts post, escrow.ts, escrow-batch.ts), and entries are
 * never updated or deleted, so "each statement's additions to a transaction balance" implies
 * "every transaction balances" — a leg added to a transaction later, by any statement, is
 * refused unless that statement balances it on its own.
 */
export class Migration20261203000000_statement_balance extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      drop trigger ledger_entries_balanced on ledger_entries;
      drop function ledger_transaction_balanced();
      create function ledger_statement_balanced() returns trigger language plpgsql as $$
      declare
        unbalanced uuid;
      begin
        select transaction_id into unbalanced from new_entries
         group by transaction_id having sum(amount) <> 0 limit 1;
        if unbalanced is not null then
          raise exception 'ledger transaction % does not balance', unbalanced;
        end if;
        return null;
      end $$;
      create trigger ledger_entries_balanced after insert on ledger_entries
        referencing new table as new_entries for each statement execute function ledger_statement_balanced();
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop trigger ledger_entries_balanced on ledger_entries;
      drop function ledger_statement_balanced();
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
}
