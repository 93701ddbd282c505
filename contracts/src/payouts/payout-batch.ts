/**
 * Payout batches as the api hands them over: a batch id and the payouts in it (payout id,
 * recipient wallet, amount in NEURO's smallest unit). Validation splits a batch into payouts that
 * can be sent and payouts rejected with a typed reason (they never reach the chain).
 *
 * Every payout transaction carries one memo, `neurogrid-payout:<batchId>`, so reconciliation can
 * tell payout transactions apart and match them to their batch.
 */
import type { PublicKey } from "@solana/web3.js";
import { type ContractsErrorCode, isContractsError } from "../errors.js";
import { parseAddress } from "../solana/address.js";
import { MAX_TOKEN_AMOUNT, tokenAccountOf } from "../token/neuro-token.js";

export interface PayoutItem {
  payoutId: string;
  /** The recipient's wallet address (base58), as proven by the wallet proof. */
  recipient: string;
  /** Smallest units, 1..2^64-1. */
  amount: bigint;
}

export interface PayoutBatch {
  batchId: string;
  payouts: readonly PayoutItem[];
}

export interface ValidPayout {
  payoutId: string;
  recipient: PublicKey;
  /** The recipient's associated token account for the mint. */
  tokenAccount: PublicKey;
  amount: bigint;
}

export interface RejectedPayout {
  payoutId: string;
  code: ContractsErrorCode;
  reason: string;
}

export const PAYOUT_MEMO_PREFIX = "neurogrid-payout:";
const BATCH_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const PAYOUT_ID_MAX = 128;

export function payoutMemo(batchId: string): string {
  return `${PAYOUT_MEMO_PREFIX}${batchId}`;
}

/** The batch id a payout memo names, or null for any other memo. */
export function batchIdOfMemo(memo: string): string | null {
  return memo.startsWith(PAYOUT_MEMO_PREFIX) ? memo.slice(PAYOUT_MEMO_PREFIX.length) : null;
}

export function isValidBatchId(batchId: string): boolean {
  return typeof batchId === "string" && BATCH_ID_PATTERN.test(batchId);
}

export function validatePayouts(
  mint: PublicKey,
  payouts: readonly PayoutItem[],
): { valid: ValidPayout[]; rejected: RejectedPayout[] } {
  const valid: ValidPayout[] = [];
  const rejected: RejectedPayout[] = [];
  const seen = new Set<string>();
  for (const p of payouts) {
    if (typeof p.payoutId !== "string" || p.payoutId.length === 0 || p.payoutId.length > PAYOUT_ID_MAX) {
      rejected.push({
        payoutId: String(p.payoutId),
        code: "INVALID_PAYOUT",
        reason: "payout id must be 1..128 characters",
      });
      continue;
    }
    if (seen.has(p.payoutId)) {
      rejected.push({
        payoutId: p.payoutId,
        code: "INVALID_PAYOUT",
        reason: "duplicate payout id in the batch",
      });
      continue;
    }
    seen.add(p.payoutId);
    if (typeof p.amount !== "bigint" || p.amount <= 0n || p.amount > MAX_TOKEN_AMOUNT) {
      rejected.push({ payoutId: p.payoutId, code: "INVALID_PAYOUT", reason: `amount must be in 1..2^64-1` });
      continue;
    }
    try {
      const recipient = parseAddress(p.recipient, "recipient wallet");
      valid.push({
        payoutId: p.payoutId,
        recipient,
        tokenAccount: tokenAccountOf(mint, recipient),
        amount: p.amount,
      });
    } catch (err) {
      if (!isContractsError(err)) throw err;
      rejected.push({ payoutId: p.payoutId, code: err.code, reason: err.message });
    }
  }
  return { valid, rejected };
}
