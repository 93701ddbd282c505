/**
 * Turning a processed transaction (its message, the addresses its lookup tables loaded, and the
 * node's pre/post token balances) into a ChainTransaction. Shared by the real RPC and the
 * in-process one, so reconciliation reads both the same way.
 *
 * Memos are read from the memo instructions' data (UTF-8), not from logs: logs can be truncated.
 */

import { MEMO_PROGRAM_ID } from "@solana/spl-memo";
import type { LoadedAddresses, TokenBalance, VersionedMessage } from "@solana/web3.js";
import type { ChainTransaction, TokenBalanceChange } from "./solana-rpc.js";

/** Memo v1 program; transactions may carry either version. */
const MEMO_V1_PROGRAM_ID = "Memo1UhkJRfHyvLMcVucJwxXeuD728EqVrDxoDgfsAZ7g";

export interface ProcessedTransactionParts {
  signature: string;
  slot: bigint;
  err: string | null;
  message: VersionedMessage;
  loadedAddresses: LoadedAddresses | null;
  preTokenBalances: readonly TokenBalance[];
  postTokenBalances: readonly TokenBalance[];
}

export function toChainTransaction(parts: ProcessedTransactionParts): ChainTransaction {
  const keys = parts.message.getAccountKeys(
    parts.loadedAddresses ? { accountKeysFromLookups: parts.loadedAddresses } : undefined,
  );
  const memoPrograms = new Set([MEMO_PROGRAM_ID.toBase58(), MEMO_V1_PROGRAM_ID]);
  const memos: string[] = [];
  for (const ix of parts.message.compiledInstructions) {
    const program = keys.get(ix.programIdIndex)?.toBase58();
    if (program && memoPrograms.has(program)) memos.push(Buffer.from(ix.data).toString("utf8"));
  }
  const changes = new Map<number, TokenBalanceChange>();
  const entry = (b: TokenBalance): TokenBalanceChange => {
    let change = changes.get(b.accountIndex);
    if (!change) {
      change = {
        account: keys.get(b.accountIndex)?.toBase58() ?? `#${b.accountIndex}`,
        mint: b.mint,
        owner: b.owner ?? null,
        pre: 0n,
        post: 0n,
      };
      changes.set(b.accountIndex, change);
    }
    return change;
  };
  for (const b of parts.preTokenBalances) entry(b).pre = BigInt(b.uiTokenAmount.amount);
  for (const b of parts.postTokenBalances) entry(b).post = BigInt(b.uiTokenAmount.amount);
  return {
    signature: parts.signature,
    slot: parts.slot,
    err: parts.err,
    memos,
    accounts: [
      ...keys.staticAccountKeys,
      ...(keys.accountKeysFromLookups?.writable ?? []),
      ...(keys.accountKeysFromLookups?.readonly ?? []),
    ].map((k) => k.toBase58()),
    tokenBalanceChanges: [...changes.entries()].sort(([a], [b]) => a - b).map(([, c]) => c),
  };
}
