/**
 * SolanaRpc: the few chain operations the NEURO token and payouts need, behind one interface so
 * the same code runs against a real cluster (web3-rpc.ts, @solana/web3.js Connection) and an
 * in-process runtime in tests (litesvm-rpc.ts), with faults injected between them and the caller
 * (faulty-rpc.ts).
 *
 * Semantics every implementation keeps (the payout sender's safety rests on them):
 * - `getBlockHeight()` is the FINALIZED block height. A transaction whose lastValidBlockHeight is
 *   below it can never land, and if it landed earlier it is visible to `getSignatureStatuses`.
 * - `getSignatureStatuses()` searches the full history (not only the recent status cache), so an
 *   answer of `null` after the blockhash expired means the transaction did not land.
 * - `sendRawTransaction()` throwing says nothing about the outcome: the bytes may or may not have
 *   reached a leader. Callers look the signature up; they never rebuild on a send error alone.
 * - `getSlot()` is a slot that is in the SlotHashes sysvar (usable as a lookup table's
 *   `recentSlot`) and that only grows; a lookup table extended at slot S is usable once it is > S.
 * Amounts and lamports are bigint; addresses and signatures are base58 strings.
 */
import type { PublicKey } from "@solana/web3.js";

export type ConfirmationStatus = "processed" | "confirmed" | "finalized";

export interface LatestBlockhash {
  blockhash: string;
  /** The last block height at which a transaction using this blockhash can be processed. */
  lastValidBlockHeight: bigint;
}

export interface SignatureStatus {
  slot: bigint;
  /** null when the transaction succeeded; otherwise the chain's error, as text. */
  err: string | null;
  confirmationStatus: ConfirmationStatus;
}

export interface ChainAccount {
  owner: string;
  lamports: bigint;
  data: Uint8Array;
  executable: boolean;
}

/** One token account's balance before and after a transaction (0n where it did not exist). */
export interface TokenBalanceChange {
  account: string;
  mint: string;
  /** The token account's owner (wallet), when the node reported it. */
  owner: string | null;
  pre: bigint;
  post: bigint;
}

/** A processed transaction as read back from the chain: what reconciliation needs of it. */
export interface ChainTransaction {
  signature: string;
  slot: bigint;
  err: string | null;
  /** The text of every memo instruction, in order. */
  memos: string[];
  /** Every account the transaction names (static keys, then lookup-table loads), base58. */
  accounts: string[];
  tokenBalanceChanges: TokenBalanceChange[];
}

export interface SignatureInfo {
  signature: string;
  slot: bigint;
  err: string | null;
}

export interface SolanaRpc {
  getLatestBlockhash(): Promise<LatestBlockhash>;
  /** The finalized block height (see the header). */
  getBlockHeight(): Promise<bigint>;
  /** A recent slot in SlotHashes (see the header). */
  getSlot(): Promise<bigint>;
  getMinimumBalanceForRentExemption(dataLength: number): Promise<bigint>;
  /** Sends signed transaction bytes; resolves to the transaction's signature (base58). */
  sendRawTransaction(transaction: Uint8Array): Promise<string>;
  /** Statuses in the order asked; null for a signature the chain does not know. */
  getSignatureStatuses(signatures: readonly string[]): Promise<(SignatureStatus | null)[]>;
  getTransaction(signature: string): Promise<ChainTransaction | null>;
  /** Accounts in the order asked; null for an address with no account. */
  getMultipleAccounts(addresses: readonly PublicKey[]): Promise<(ChainAccount | null)[]>;
  /** Signatures of transactions that touched the address, newest first. */
  getSignaturesForAddress(
    address: PublicKey,
    options?: { limit?: number; before?: string },
  ): Promise<SignatureInfo[]>;
  /** Lamports for fees (devnet, test validators, in-process runtimes); resolves once landed. */
  requestAirdrop(address: PublicKey, lamports: bigint): Promise<void>;
}
