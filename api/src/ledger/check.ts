import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * Proves the ledger is whole: all entries sum to zero, every transaction sums to zero, every
 * entry names a ledger transaction and an account that exist, and every stored balance equals
 * the sum of its account's entries.
 */
export interface LedgerCheckResult {
  ok: boolean;
  entries: number;
  total: bigint;
  unbalancedTransactions: string[];
  /** Entries whose ledger transaction or account does not exist (by entry id). */
  orphanEntries: string[];
  mismatchedAccounts: { accountId: string; balance: bigint; entries: bigint }[];
}

export async function checkLedger(em: EntityManager): Promise<LedgerCheckResult> {
  const [totals] = await em.execute<{ n: string; total: string | null }[]>(
    "select count(*) as n, sum(amount) as total from ledger_entries",
  );
  const unbalanced = await em.execute<{ transaction_id: string }[]>(
    "select transaction_id from ledger_entries group by transaction_id having sum(amount) <> 0",
  );
  const orphans = await em.execute<{ id: string }[]>(
    `select e.id from ledger_entries e
      where not exists (select 1 from ledger_transactions t where t.id = e.transaction_id)
         or not exists (select 1 from ledger_accounts a where a.id = e.account_id)
      limit 100`,
  );
  const mismatched = await em.execute<{ id: string; balance: string; entries: string }[]>(
    `select a.id, a.balance, coalesce(sum(e.amount), 0) as entries
       from ledger_accounts a left join ledger_entries e on e.account_id = a.id
      group by a.id, a.balance having a.balance <> coalesce(sum(e.amount), 0)`,
  );
  const total = BigInt(totals?.total ?? "0");
  return {
    ok: total === 0n && unbalanced.length === 0 && orphans.length === 0 && mismatched.length === 0,
    entries: Number(totals?.n ?? 0),
    total,
    unbalancedTransactions: unbalanced.map((r) => r.transaction_id),
    orphanEntries: orphans.map((r) => String(r.id)),
    mismatchedAccounts: mismatched.map((r) => ({
      accountId: r.id,
      balance: BigInt(r.balance),
      entries: BigInt(r.entries),
    })),
  };
}
