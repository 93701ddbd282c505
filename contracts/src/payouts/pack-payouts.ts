/**
 * Packing a batch's payouts into as few v0 transactions as fit. Each transaction holds, in order:
 * an optional compute-unit price, one memo naming the batch, then per payout a
 * createAssociatedTokenAccountIdempotent (only where the recipient's token account is not known
 * to exist, once per account per transaction) and a transferChecked from the treasury's token
 * account. Lookup tables shrink every address they hold to one byte; recipients' token accounts
 * belong there (recipient-lookup-tables.ts).
 *
 * In the batch's order, each transaction takes the longest run of payouts that still fits
 * (transaction-limits.ts, measured by compiling and serializing the candidate); the next
 * transaction starts where it stopped. A payout that fits no transaction on its own is
 * TX_TOO_LARGE (cannot happen with the instructions above, but is checked, not assumed).
 */

import { createMemoInstruction } from "@solana/spl-memo";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createTransferCheckedInstruction,
  getAssociatedTokenAddressSync,
} from "@solana/spl-token";
import {
  type AddressLookupTableAccount,
  ComputeBudgetProgram,
  type PublicKey,
  type TransactionInstruction,
} from "@solana/web3.js";
import { ContractsError } from "../errors.js";
import { NEURO_DECIMALS } from "../neuro-amount.js";
import { payoutMemo, type ValidPayout } from "./payout-batch.js";
import {
  fitsLimits,
  MAX_INSTRUCTION_TRACE,
  measureTransaction,
  type TokenAccountState,
  TRACE_COST,
  type TransactionMeasure,
} from "./transaction-limits.js";

export interface PackInput {
  batchId: string;
  payouts: readonly ValidPayout[];
  treasury: PublicKey;
  mint: PublicKey;
  /** State of each recipient token account (base58 key); a missing entry counts as "missing". */
  tokenAccounts: ReadonlyMap<string, TokenAccountState>;
  lookupTables?: readonly AddressLookupTableAccount[];
  /** Priority fee in micro-lamports per compute unit; none when 0 or absent. */
  computeUnitPriceMicroLamports?: bigint;
}

export interface PackedTransaction {
  payoutIds: string[];
  instructions: TransactionInstruction[];
  /** Token accounts this transaction creates (if they still do not exist when it runs). */
  createsTokenAccounts: number;
  measure: TransactionMeasure;
}

interface Draft {
  payouts: ValidPayout[];
  created: Set<string>;
  trace: number;
}

export function packPayouts(input: PackInput): PackedTransaction[] {
  const tables = input.lookupTables ?? [];
  const source = getAssociatedTokenAddressSync(input.mint, input.treasury, true);
  const header: TransactionInstruction[] = [];
  if (input.computeUnitPriceMicroLamports && input.computeUnitPriceMicroLamports > 0n) {
    header.push(
      ComputeBudgetProgram.setComputeUnitPrice({ microLamports: input.computeUnitPriceMicroLamports }),
    );
  }
  header.push(createMemoInstruction(payoutMemo(input.batchId)));
  const headerTrace = header.length * TRACE_COST.plain;

  const stateOf = (p: ValidPayout): TokenAccountState =>
    input.tokenAccounts.get(p.tokenAccount.toBase58()) ?? "missing";

  const build = (draft: Draft): { instructions: TransactionInstruction[]; creates: number } => {
    const instructions = [...header];
    const created = new Set<string>();
    for (const p of draft.payouts) {
      const key = p.tokenAccount.toBase58();
      if (stateOf(p) !== "exists" && !created.has(key)) {
        created.add(key);
        instructions.push(
          createAssociatedTokenAccountIdempotentInstruction(
            input.treasury,
            p.tokenAccount,
            p.recipient,
            input.mint,
          ),
        );
      }
      instructions.push(
        createTransferCheckedInstruction(
          source,
          input.mint,
          p.tokenAccount,
          input.treasury,
          p.amount,
          NEURO_DECIMALS,
        ),
      );
    }
    return { instructions, creates: created.size };
  };

  const draftOf = (payouts: readonly ValidPayout[]): Draft => {
    const created = new Set<string>();
    let trace = headerTrace;
    for (const p of payouts) {
      const key = p.tokenAccount.toBase58();
      trace += TRACE_COST.plain;
      if (stateOf(p) !== "exists" && !created.has(key)) {
        created.add(key);
        trace += TRACE_COST.createTokenAccount[stateOf(p)];
      }
    }
    return { payouts: [...payouts], created, trace };
  };
  const measureOf = (draft: Draft): TransactionMeasure =>
    measureTransaction(input.treasury, build(draft).instructions, tables, draft.trace);

  // Fitting is monotone in the number of payouts taken (each adds bytes, accounts or trace, never
  // removes any), so the largest prefix that fits is found by binary search.
  const packed: PackedTransaction[] = [];
  let start = 0;
  while (start < input.payouts.length) {
    let lo = 0; // largest count known to fit
    let hi = Math.min(input.payouts.length - start, MAX_INSTRUCTION_TRACE) + 1; // smallest known not to fit
    let best: { draft: Draft; measure: TransactionMeasure } | null = null;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const draft = draftOf(input.payouts.slice(start, start + mid));
      const measure = measureOf(draft);
      if (fitsLimits(measure)) {
        lo = mid;
        best = { draft, measure };
      } else {
        hi = mid;
      }
    }
    if (!best) {
      const payout = input.payouts[start];
      const measure = measureOf(draftOf(input.payouts.slice(start, start + 1)));
      throw new ContractsError(
        "TX_TOO_LARGE",
        `payout ${payout?.payoutId} does not fit a transaction on its own (${measure.bytes} bytes, ${measure.accountLocks} accounts, trace ${measure.trace})`,
      );
    }
    const { instructions, creates } = build(best.draft);
    packed.push({
      payoutIds: best.draft.payouts.map((p) => p.payoutId),
      instructions,
      createsTokenAccounts: creates,
      measure: best.measure,
    });
    start += lo;
  }
  return packed;
}
