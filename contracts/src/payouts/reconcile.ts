/**
 * Reconciliation: do the payouts the api marked confirmed match what the chain holds?
 *
 * For every recorded signature the transaction is read back and checked:
 * - it exists and succeeded (TRANSACTION_NOT_FOUND, TRANSACTION_FAILED);
 * - it carries the memo of its batch (MEMO_MISMATCH);
 * - every recipient token account of the mint moved by exactly the sum of its recorded payouts
 *   in that transaction, the treasury's token account by minus the total (AMOUNT_MISMATCH), and
 *   no other token account of the mint moved (UNEXPECTED_TRANSFER).
 * With `scanTreasuryHistory`, the treasury token account's recent history is also read, and any
 * successful payout transaction (by memo) that no confirmed payout names is reported
 * (UNRECORDED_TRANSACTION): the trace a double payout would leave.
 */
import type { PublicKey } from "@solana/web3.js";
import { isContractsError } from "../errors.js";
import { parseAddress } from "../solana/address.js";
import type { SolanaRpc } from "../solana/solana-rpc.js";
import { tokenAccountOf } from "../token/neuro-token.js";
import { batchIdOfMemo, payoutMemo } from "./payout-batch.js";

export interface ConfirmedPayout {
  payoutId: string;
  batchId: string;
  /** Recipient wallet (base58). */
  recipient: string;
  amount: bigint;
  signature: string;
}

export type ReconcileDifference =
  | { kind: "TRANSACTION_NOT_FOUND"; signature: string; payoutIds: string[] }
  | { kind: "TRANSACTION_FAILED"; signature: string; error: string; payoutIds: string[] }
  | { kind: "MEMO_MISMATCH"; signature: string; expected: string; memos: string[]; payoutIds: string[] }
  | {
      kind: "AMOUNT_MISMATCH";
      signature: string;
      tokenAccount: string;
      /** The recipient wallet, or the treasury. */
      owner: string;
      expected: bigint;
      actual: bigint;
      payoutIds: string[];
    }
  | {
      kind: "UNEXPECTED_TRANSFER";
      signature: string;
      tokenAccount: string;
      owner: string | null;
      amount: bigint;
    }
  | { kind: "UNRECORDED_TRANSACTION"; signature: string; batchId: string }
  | { kind: "INVALID_RECORD"; payoutId: string; reason: string };

export interface ReconcileReport {
  payoutsChecked: number;
  transactionsChecked: number;
  differences: ReconcileDifference[];
}

export interface ReconcileInput {
  mint: PublicKey;
  treasury: PublicKey;
  payouts: readonly ConfirmedPayout[];
  /** Also look for payout transactions no record names, among the treasury's latest `limit`. */
  scanTreasuryHistory?: { limit: number };
}

export async function reconcilePayouts(rpc: SolanaRpc, input: ReconcileInput): Promise<ReconcileReport> {
  const differences: ReconcileDifference[] = [];
  const mint = input.mint.toBase58();
  const treasuryAccount = tokenAccountOf(input.mint, input.treasury).toBase58();
  const bySignature = new Map<string, ConfirmedPayout[]>();
  for (const p of input.payouts) {
    const list = bySignature.get(p.signature);
    if (list) list.push(p);
    else bySignature.set(p.signature, [p]);
  }
  for (const [signature, payouts] of bySignature) {
    const payoutIds = payouts.map((p) => p.payoutId);
    const tx = await rpc.getTransaction(signature);
    if (!tx) {
      differences.push({ kind: "TRANSACTION_NOT_FOUND", signature, payoutIds });
      continue;
    }
    if (tx.err) {
      differences.push({ kind: "TRANSACTION_FAILED", signature, error: tx.err, payoutIds });
      continue;
    }
    for (const batchId of new Set(payouts.map((p) => p.batchId))) {
      const expected = payoutMemo(batchId);
      if (!tx.memos.includes(expected)) {
        const ids = payouts.filter((p) => p.batchId === batchId).map((p) => p.payoutId);
        differences.push({ kind: "MEMO_MISMATCH", signature, expected, memos: tx.memos, payoutIds: ids });
      }
    }
    // expected movement per token account
    const expected = new Map<string, { owner: string; amount: bigint; payoutIds: string[] }>();
    let total = 0n;
    for (const p of payouts) {
      let account: string;
      try {
        account = tokenAccountOf(input.mint, parseAddress(p.recipient, "recipient wallet")).toBase58();
      } catch (err) {
        if (!isContractsError(err)) throw err;
        differences.push({ kind: "INVALID_RECORD", payoutId: p.payoutId, reason: err.message });
        continue;
      }
      const e = expected.get(account) ?? { owner: p.recipient, amount: 0n, payoutIds: [] };
      e.amount += p.amount;
      e.payoutIds.push(p.payoutId);
      expected.set(account, e);
      total += p.amount;
    }
    const treasury = expected.get(treasuryAccount) ?? {
      owner: input.treasury.toBase58(),
      amount: 0n,
      payoutIds: [],
    };
    treasury.amount -= total;
    expected.set(treasuryAccount, treasury);
    const actual = new Map<string, { delta: bigint; owner: string | null }>();
    for (const c of tx.tokenBalanceChanges) {
      if (c.mint === mint) actual.set(c.account, { delta: c.post - c.pre, owner: c.owner });
    }
    for (const [account, e] of expected) {
      const delta = actual.get(account)?.delta ?? 0n;
      if (delta !== e.amount) {
        differences.push({
          kind: "AMOUNT_MISMATCH",
          signature,
          tokenAccount: account,
          owner: e.owner,
          expected: e.amount,
          actual: delta,
          payoutIds: e.payoutIds,
        });
      }
    }
    for (const [account, a] of actual) {
      if (!expected.has(account) && a.delta !== 0n) {
        differences.push({
          kind: "UNEXPECTED_TRANSFER",
          signature,
          tokenAccount: account,
          owner: a.owner,
          amount: a.delta,
        });
      }
    }
  }
  let transactionsChecked = bySignature.size;
  if (input.scanTreasuryHistory) {
    const history = await rpc.getSignaturesForAddress(tokenAccountOf(input.mint, input.treasury), {
      limit: input.scanTreasuryHistory.limit,
    });
    for (const s of history) {
      if (s.err || bySignature.has(s.signature)) continue;
      const tx = await rpc.getTransaction(s.signature);
      transactionsChecked++;
      const batchId = tx?.memos.map(batchIdOfMemo).find((b) => b !== null);
      if (tx && !tx.err && batchId)
        differences.push({ kind: "UNRECORDED_TRANSACTION", signature: s.signature, batchId });
    }
  }
  return { payoutsChecked: input.payouts.length, transactionsChecked, differences };
}
