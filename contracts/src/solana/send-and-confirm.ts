/**
 * Building, signing, sending and confirming one v0 transaction for the one-off operations (mint
 * creation, minting, token accounts, lookup tables). Payouts use payout-sender.ts instead, which
 * stores the bytes before sending.
 *
 * Confirmation follows the same rule as the payout sender: resend the same bytes while the
 * blockhash is valid; once the finalized block height is past lastValidBlockHeight and the
 * signature is still unknown, the transaction can no longer land: TX_EXPIRED. A transaction
 * that landed with an error is TX_FAILED. Send errors only mean "look it up".
 */
import {
  type AddressLookupTableAccount,
  type Signer,
  type TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import bs58 from "bs58";
import { ContractsError } from "../errors.js";
import type { TreasuryKey } from "../token/treasury-key.js";
import type { ConfirmationStatus, LatestBlockhash, SolanaRpc } from "./solana-rpc.js";

export interface ConfirmOptions {
  /** Status that counts as confirmed (default "confirmed"). */
  commitment?: Exclude<ConfirmationStatus, "processed">;
  /** Delay between status polls (default 1000 ms). */
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const defaultSleep = (ms: number): Promise<void> =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));

export function reachedCommitment(
  status: ConfirmationStatus,
  commitment: Exclude<ConfirmationStatus, "processed">,
): boolean {
  return status === "finalized" || (commitment === "confirmed" && status === "confirmed");
}

/** Compiles a v0 transaction paid by `payer` (unsigned). */
export function buildV0Transaction(
  payer: TreasuryKey,
  instructions: TransactionInstruction[],
  blockhash: string,
  lookupTables: AddressLookupTableAccount[] = [],
): VersionedTransaction {
  const message = new TransactionMessage({
    payerKey: payer.publicKey,
    recentBlockhash: blockhash,
    instructions,
  }).compileToV0Message(lookupTables);
  return new VersionedTransaction(message);
}

export function signatureOf(transaction: VersionedTransaction): string {
  const first = transaction.signatures[0];
  if (!first) throw new ContractsError("TX_FAILED", "transaction has no signature");
  return bs58.encode(first);
}

/** Sends signed bytes and waits until they land (see the header); resolves to the slot. */
export async function confirmSignedTransaction(
  rpc: SolanaRpc,
  bytes: Uint8Array,
  signature: string,
  lastValidBlockHeight: bigint,
  options: ConfirmOptions = {},
): Promise<bigint> {
  const sleep = options.sleep ?? defaultSleep;
  const commitment = options.commitment ?? "confirmed";
  for (;;) {
    await rpc.sendRawTransaction(bytes).catch(() => undefined);
    const height = await rpc.getBlockHeight();
    const [status] = await rpc.getSignatureStatuses([signature]);
    if (status?.err) throw new ContractsError("TX_FAILED", `transaction ${signature} failed: ${status.err}`);
    if (status && reachedCommitment(status.confirmationStatus, commitment)) return status.slot;
    if (!status && height > lastValidBlockHeight) {
      throw new ContractsError("TX_EXPIRED", `transaction ${signature} expired before it landed`);
    }
    await sleep(options.pollIntervalMs ?? 1000);
  }
}

export interface SentTransaction {
  signature: string;
  slot: bigint;
}

/** Builds with the latest blockhash, signs with the treasury (and extra signers), sends, confirms. */
export async function sendInstructions(
  rpc: SolanaRpc,
  payer: TreasuryKey,
  instructions: TransactionInstruction[],
  options: ConfirmOptions & { extraSigners?: Signer[]; lookupTables?: AddressLookupTableAccount[] } = {},
): Promise<SentTransaction> {
  const latest: LatestBlockhash = await rpc.getLatestBlockhash();
  const tx = buildV0Transaction(payer, instructions, latest.blockhash, options.lookupTables);
  payer.sign(tx, options.extraSigners);
  const signature = signatureOf(tx);
  const slot = await confirmSignedTransaction(
    rpc,
    tx.serialize(),
    signature,
    latest.lastValidBlockHeight,
    options,
  );
  return { signature, slot };
}
