import type { MikroORM } from "@mikro-orm/postgresql";
import { getTokenAccountBalances, readIncomingTransfer, tokenAccountOf } from "@neurogrid/contracts";
import { LedgerAccountKind } from "../db/entities/index.js";
import type { DepositChain } from "../deposits/deposit-watcher.js";

/**
 * `neurogrid treasury check`, and the same on a schedule: proves from PostgreSQL and the chain
 *
 *   1. the treasury's NEURO balance on chain (with the hot payout wallet's, which holds what the
 *      treasury moved to it for the next payouts)
 *        = what the ledger holds for others (client available and held, provider earnings,
 *          payouts and withdrawals in flight, stakes and stakes cooling off, unmatched deposits)
 *          + the platform's fee account
 *          - off-chain credits (admin `deposit`s and the dev faucet: no transfer backs them)
 *   2. every credited or unmatched deposit is one successful, finalized transaction that moved
 *      exactly its amount into the treasury's token account;
 *   3. every successful transaction that brought NEURO into the treasury's token account (its
 *      history, up to `historyLimit`) is recorded as credited or unmatched.
 * Deposits seen but not finalized are reported (awaitingFinality), not counted: the ledger moves
 * them at finality. Differences are listed; `ok` only without any.
 */
const HELD_KINDS = [
  LedgerAccountKind.CLIENT_AVAILABLE,
  LedgerAccountKind.CLIENT_HELD,
  LedgerAccountKind.PROVIDER_EARNINGS,
  LedgerAccountKind.PROVIDER_PENDING,
  LedgerAccountKind.PAYOUTS_IN_FLIGHT,
  LedgerAccountKind.WITHDRAWALS_IN_FLIGHT,
  LedgerAccountKind.PROVIDER_STAKE,
  LedgerAccountKind.STAKE_COOLING,
  LedgerAccountKind.UNMATCHED_DEPOSITS,
  LedgerAccountKind.PLATFORM_FEES,
] as const;

/** Transactions of the treasury's token account read by one check, at most. */
const TREASURY_HISTORY_LIMIT = 20_000;
const PAGE = 1000;

type TreasuryDifference =
  | { kind: "BALANCE_MISMATCH"; onChain: bigint; expected: bigint; difference: bigint }
  | { kind: "DEPOSIT_NOT_ON_CHAIN"; signature: string; recorded: bigint; onChain: bigint | null }
  | { kind: "TRANSFER_NOT_RECORDED"; signature: string; amount: bigint };

export interface TreasuryReport {
  ok: boolean;
  treasuryTokenAccount: string;
  onChain: bigint;
  expected: bigint;
  /** Ledger balances by account kind (the terms of `expected`). */
  ledger: Record<string, bigint>;
  offChainCredits: bigint;
  awaitingFinality: bigint;
  depositsChecked: number;
  transactionsScanned: number;
  differences: TreasuryDifference[];
}

export async function checkTreasury(
  orm: MikroORM,
  chain: DepositChain,
  historyLimit = TREASURY_HISTORY_LIMIT,
): Promise<TreasuryReport> {
  const em = orm.em.fork();
  const account = tokenAccountOf(chain.mint, chain.treasury);
  const differences: TreasuryDifference[] = [];
  const kinds = await em.execute<{ kind: string; balance: string }[]>(
    "select kind, coalesce(sum(balance), 0) as balance from ledger_accounts where kind = any(?::text[]) group by kind",
    [`{${HELD_KINDS.join(",")}}`],
  );
  const ledger: Record<string, bigint> = Object.fromEntries(HELD_KINDS.map((k) => [k, 0n]));
  for (const k of kinds) ledger[k.kind] = BigInt(k.balance);
  const [offChain] = await em.execute<{ total: string }[]>(
    `select coalesce(sum(e.amount), 0) as total from ledger_entries e
       join ledger_transactions t on t.id = e.transaction_id
       join ledger_accounts a on a.id = e.account_id
      where t.kind = 'deposit' and a.kind <> 'external'`,
  );
  const offChainCredits = BigInt(offChain?.total ?? 0);
  const expected = Object.values(ledger).reduce((a, b) => a + b, 0n) - offChainCredits;
  const recorded = await em.execute<{ signature: string; amount: string; status: string }[]>(
    "select signature, amount, status from chain_transfers order by seen_at, signature",
  );
  const moved = recorded.filter(
    (r) => (r.status === "CREDITED" || r.status === "UNMATCHED") && BigInt(r.amount) > 0n,
  );
  const seen = recorded.filter((r) => r.status === "SEEN");
  const awaitingFinality = seen.reduce((sum, r) => sum + BigInt(r.amount), 0n);
  // The platform's NEURO: the treasury's token account plus what was moved to the hot payout
  // wallet and not paid out yet (contracts' payouts/hot-wallet.ts).
  const hot = chain.hotWallet && !chain.hotWallet.equals(chain.treasury) ? chain.hotWallet : undefined;
  const held = await getTokenAccountBalances(chain.rpc, [
    account,
    ...(hot ? [tokenAccountOf(chain.mint, hot)] : []),
  ]);
  const onChain = held.reduce((sum, b) => sum + b, 0n);
  // The balance may be read before or after the chain finalizes what is awaiting finality.
  if (onChain !== expected && onChain !== expected + awaitingFinality) {
    differences.push({ kind: "BALANCE_MISMATCH", onChain, expected, difference: onChain - expected });
  }
  const statuses = moved.length ? await chain.rpc.getSignatureStatuses(moved.map((r) => r.signature)) : [];
  for (const [i, r] of moved.entries()) {
    const status = statuses[i];
    const tx =
      status && !status.err && status.confirmationStatus === "finalized"
        ? await chain.rpc.getTransaction(r.signature)
        : null;
    const received = tx ? readIncomingTransfer(tx, chain).received : null;
    if (received !== BigInt(r.amount)) {
      differences.push({
        kind: "DEPOSIT_NOT_ON_CHAIN",
        signature: r.signature,
        recorded: BigInt(r.amount),
        onChain: received,
      });
    }
  }
  const accounted = new Set([...moved, ...seen].map((r) => r.signature));
  let scanned = 0;
  let before: string | undefined;
  while (scanned < historyLimit) {
    const page = await chain.rpc.getSignaturesForAddress(account, {
      limit: Math.min(PAGE, historyLimit - scanned),
      ...(before ? { before } : {}),
    });
    if (page.length === 0) break;
    scanned += page.length;
    for (const s of page) {
      if (s.err || accounted.has(s.signature)) continue;
      const tx = await chain.rpc.getTransaction(s.signature);
      const received = tx ? readIncomingTransfer(tx, chain).received : 0n;
      if (received > 0n) {
        differences.push({ kind: "TRANSFER_NOT_RECORDED", signature: s.signature, amount: received });
      }
    }
    before = page[page.length - 1]?.signature;
  }
  return {
    ok: differences.length === 0,
    treasuryTokenAccount: account.toBase58(),
    onChain,
    expected,
    ledger,
    offChainCredits,
    awaitingFinality,
    depositsChecked: moved.length,
    transactionsScanned: scanned,
    differences,
  };
}
