/**
 * The ledger's statement check (Migration20261203000000_ledger_statement_checks): after each
 * statement that inserts ledger entries, every new entry names a ledger transaction and an
 * account that exist, and every transaction's new entries balance. Its two existence checks are
 * given (PL/pgSQL, each leaving the offending id in `bad`, or null): their planning is what the
 * later migrations changed; the rules are the same in every version.
 */
export function ledgerEntriesChecked(txMissing: string, accountMissing: string): string {
  return `
    create or replace function ledger_entries_checked() returns trigger language plpgsql as $$
    declare
      bad uuid;
    begin
      bad := null;
      ${txMissing}
      if bad is not null then
        raise exception 'ledger entry of transaction % that does not exist', bad
          using errcode = 'foreign_key_violation';
      end if;
      bad := null;
      ${accountMissing}
      if bad is not null then
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
  `;
}
