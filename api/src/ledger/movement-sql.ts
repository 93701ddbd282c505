import type { Leg } from "./movements.js";

/**
 * The part every single-movement ledger statement shares (deposit credits, withdrawals, stake
 * moves), after the CTE that writes the movement's ledger transaction (`mv`, its `id`): the
 * movement's entries, then its accounts locked in id order (last, as every ledger statement
 * locks them: held for the balance updates and the commit only), then each balance moved once by
 * the sum of its legs. The accounts' check refuses a negative client or provider balance (the
 * whole statement then writes nothing); the statement trigger checks the legs balance.
 *
 * Positional parameters, in order: the entries' time, the legs (JSON), the accounts (uuid[]):
 * `entriesParams` gives them.
 */
export const ENTRIES_AND_BALANCES = `entries as (
       insert into ledger_entries (transaction_id, account_id, amount, created_at)
       select mv.id, l.account_id, l.amount, ?::timestamptz from mv,
         lateral jsonb_to_recordset(?::jsonb) as l(account_id uuid, amount bigint)
       returning account_id, amount
     ), lk as (
       select id from ledger_accounts where id = any(?::uuid[]) and (select count(*) from entries) >= 0
        order by id for update
     ), balances as (
       update ledger_accounts a set balance = a.balance + s.amount
         from (select account_id, sum(amount) as amount from entries group by account_id) s
        where a.id = s.account_id and (select count(*) from lk) >= 0 returning a.id
     )`;

/** ENTRIES_AND_BALANCES's parameters. */
export function entriesParams(now: Date, legs: readonly Leg[]): unknown[] {
  const accounts = [...new Set(legs.map((l) => l.accountId))].sort();
  return [
    now.toISOString(),
    JSON.stringify(legs.map((l) => ({ account_id: l.accountId, amount: l.amount.toString() }))),
    `{${accounts.join(",")}}`,
  ];
}

/**
 * A movement of the row a statement's first CTE (`row`) wrote or moved: its ledger transaction
 * (referencing the row through `column`), entries and balances, and the count of rows moved (`n`:
 * 0 when the row's guard found nothing to do, and then no money moves).
 * Parameters: the movement's kind, memo and time, then entriesParams.
 */
export function rowMovementSql(row: string, column: "withdrawal_id" | "stake_move_id"): string {
  return `mv as (
       insert into ledger_transactions (id, kind, ${column}, memo, created_at)
       select gen_random_uuid(), ?, ${row}.id, ?, ?::timestamptz from ${row} returning id
     ), ${ENTRIES_AND_BALANCES}
     select (select count(*) from ${row}) as n where (select count(*) from balances) >= 0`;
}

/** rowMovementSql's parameters. */
export function rowMovementParams(kind: string, memo: string, now: Date, legs: readonly Leg[]): unknown[] {
  return [kind, memo, now.toISOString(), ...entriesParams(now, legs)];
}
