import { Migration } from "@mikro-orm/migrations";

/**
 * The ledger's entry rules, checked once per statement instead of once per entry.
 *
 * Before: for EVERY entry row, two foreign-key checks (a query each, locking the referenced
 * rows) at the end of the statement, and a deferred constraint trigger at commit summing the
 * entry's transaction — five entries per task, all of it while the statement's account locks
 * were held. Now one AFTER INSERT trigger FOR EACH STATEMENT reads the statement's new entries
 * (a transition table) and refuses the statement (nothing of it is kept) when:
 *   - the entries it adds to a ledger transaction do not sum to zero ('does not balance');
 *   - an entry names a ledger transaction or a ledger account that does not exist
 *     (SQLSTATE 23503, foreign_key_violation, as the foreign keys raised).
 * What the foreign keys also guarded — an entry's references changed, the rows it refers to
 * deleted, or their ids changed — is refused outright: entries are never changed or deleted,
 * ledger transactions and accounts never deleted and their ids never change (triggers raise
 * 23001, restrict_violation). The ledger is append-only; no code updates or deletes from it
 * (an account's balance is the one column that changes).
 *
 * The balance rule is the same as before for this codebase, and stricter in general: every
 * movement writes all of its legs in ONE statement (ledger.ts post, ledger/hold-statement.ts,
 * ledger/settle-statement.ts), and entries are never updated or deleted, so "each statement's
 * additions to a transaction balance" implies "every transaction balances"; a leg added to a
 * transaction later, by any statement, is refused unless that statement balances it on its own.
 */
export class Migration20261203000000_ledger_statement_checks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      drop trigger ledger_entries_balanced on ledger_entries;
      drop function ledger_transaction_balanced();
      alter table ledger_entries drop constraint ledger_entries_transaction_id_fkey;
      alter table ledger_entries drop constraint ledger_entries_account_id_fkey;

      create function ledger_entries_checked() returns trigger language plpgsql as $$
      declare
        bad uuid;
      begin
        select n.transaction_id into bad from new_entries n
         where not exists (select 1 from ledger_transactions t where t.id = n.transaction_id) limit 1;
        if found then
          raise exception 'ledger entry of transaction % that does not exist', bad
            using errcode = 'foreign_key_violation';
        end if;
        select n.account_id into bad from new_entries n
         where not exists (select 1 from ledger_accounts a where a.id = n.account_id) limit 1;
        if found then
          raise exception 'ledger entry of account % that does not exist', bad
            using errcode = 'foreign_key_violation';
        end if;
        select transaction_id into bad from new_entries
         group by transaction_id having sum(amount) <> 0 limit 1;
        if found then
          raise exception 'ledger transaction % does not balance', bad;
        end if;
        return null;
      end $$;
      create trigger ledger_entries_checked after insert on ledger_entries
        referencing new table as new_entries for each statement execute function ledger_entries_checked();

      create function ledger_rows_kept() returns trigger language plpgsql as $$
      begin
        raise exception '% %', tg_table_name, tg_argv[0] using errcode = 'restrict_violation';
      end $$;
      create trigger ledger_entries_kept before update or delete or truncate on ledger_entries
        for each statement execute function ledger_rows_kept('rows are never changed or deleted');
      create trigger ledger_transactions_kept before delete or truncate on ledger_transactions
        for each statement execute function ledger_rows_kept('rows are never deleted');
      create trigger ledger_transactions_id_kept before update of id on ledger_transactions
        for each row when (old.id is distinct from new.id) execute function ledger_rows_kept('ids never change');
      create trigger ledger_accounts_kept before delete or truncate on ledger_accounts
        for each statement execute function ledger_rows_kept('rows are never deleted');
      create trigger ledger_accounts_id_kept before update of id on ledger_accounts
        for each row when (old.id is distinct from new.id) execute function ledger_rows_kept('ids never change');
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop trigger ledger_entries_kept on ledger_entries;
      drop trigger ledger_accounts_id_kept on ledger_accounts;
      drop trigger ledger_accounts_kept on ledger_accounts;
      drop trigger ledger_transactions_id_kept on ledger_transactions;
      drop trigger ledger_transactions_kept on ledger_transactions;
      drop function ledger_rows_kept();
      drop trigger ledger_entries_checked on ledger_entries;
      drop function ledger_entries_checked();
      alter table ledger_entries add constraint ledger_entries_transaction_id_fkey
        foreign key (transaction_id) references ledger_transactions(id);
      alter table ledger_entries add constraint ledger_entries_account_id_fkey
        foreign key (account_id) references ledger_accounts(id);
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
