/**
 * The limits a payout transaction must fit, and how a candidate is measured against them. Bytes
 * and account locks are measured by compiling and serializing the real v0 message; the
 * instruction trace (top-level instructions plus every CPI they make) cannot be serialized, so
 * each instruction kind carries its trace cost, measured on the SPL programs (the payout tests
 * check these numbers against LiteSVM's recorded inner instructions):
 * - transferChecked, memo, compute-budget: 1 (no CPI);
 * - create-associated-token-account-idempotent where the account exists: 1;
 *   where it does not: 5 (GetAccountDataSize, CreateAccount, InitializeImmutableOwner,
 *   InitializeAccount3); where the address already holds lamports: 7 (Transfer, Allocate and
 *   Assign instead of CreateAccount).
 */
import {
  type AddressLookupTableAccount,
  PACKET_DATA_SIZE,
  PublicKey,
  type TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";

/** 1,232 bytes: a transaction, signatures included. */
export const MAX_TRANSACTION_BYTES = PACKET_DATA_SIZE;
/** Accounts one transaction may lock (static keys plus lookup-table entries, programs included). */
export const MAX_ACCOUNT_LOCKS = 64;
/** Instructions in one transaction's trace (top level plus CPIs). */
export const MAX_INSTRUCTION_TRACE = 64;

export type TokenAccountState = "exists" | "missing" | "prefunded";

export const TRACE_COST = {
  plain: 1,
  createTokenAccount: { exists: 1, missing: 5, prefunded: 7 } satisfies Record<TokenAccountState, number>,
} as const;

export interface TransactionMeasure {
  bytes: number;
  accountLocks: number;
  trace: number;
}

/** The placeholder blockhash for measuring: same length as any real one. */
const MEASURE_BLOCKHASH = PublicKey.default.toBase58();

export function measureTransaction(
  payer: PublicKey,
  instructions: TransactionInstruction[],
  lookupTables: readonly AddressLookupTableAccount[],
  trace: number,
): TransactionMeasure {
  const message = new TransactionMessage({
    payerKey: payer,
    recentBlockhash: MEASURE_BLOCKHASH,
    instructions,
  }).compileToV0Message([...lookupTables]);
  let bytes: number;
  try {
    bytes = new VersionedTransaction(message).serialize().length;
  } catch (err) {
    // @solana/web3.js serializes into a fixed buffer and throws past it: far over the limit.
    if (!(err instanceof RangeError)) throw err;
    bytes = Number.POSITIVE_INFINITY;
  }
  const loaded = message.addressTableLookups.reduce(
    (n, l) => n + l.writableIndexes.length + l.readonlyIndexes.length,
    0,
  );
  return { bytes, accountLocks: message.staticAccountKeys.length + loaded, trace };
}

export function fitsLimits(m: TransactionMeasure): boolean {
  return (
    m.bytes <= MAX_TRANSACTION_BYTES &&
    m.accountLocks <= MAX_ACCOUNT_LOCKS &&
    m.trace <= MAX_INSTRUCTION_TRACE
  );
}
