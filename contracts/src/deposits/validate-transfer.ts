/**
 * Reading a transaction as a NEURO deposit into the treasury, and validating one against a
 * Solana Pay transfer request — the checks of @solana/pay's `validateTransfer`, on this
 * package's SolanaRpc reading of the transaction (ChainTransaction):
 *   - the transaction succeeded                                              (else FAILED)
 *   - it names the request's reference                                       (else NO_REFERENCE)
 *   - it carries the request's memo, when the request has one                (else MEMO_MISMATCH)
 *   - the treasury's NEURO token account grew by at least the amount         (else, by what moved:)
 *       something reached the treasury's token account of another mint       WRONG_MINT
 *       NEURO reached the treasury's account, but less than asked            UNDERPAID
 *       nothing reached the treasury                                         WRONG_DESTINATION
 * What arrived is reported as is: an overpayment is what the treasury holds, so it is what a
 * deposit credits. Commitment (finalized) is the caller's to check, with getSignatureStatuses.
 */
import type { PublicKey } from "@solana/web3.js";
import type { ChainTransaction } from "../solana/solana-rpc.js";
import { tokenAccountOf } from "../token/neuro-token.js";

export interface DepositTarget {
  mint: PublicKey;
  /** The treasury wallet (the requests' recipient). */
  treasury: PublicKey;
}

export interface IncomingTransfer {
  signature: string;
  slot: bigint;
  err: string | null;
  /** NEURO that reached the treasury's token account (negative when NEURO left it: a payout). */
  received: bigint;
  /** Wallets whose NEURO token accounts paid into this transaction. */
  senders: string[];
  /** Whether something reached a token account of the treasury for another mint. */
  otherMintReceived: boolean;
  accounts: string[];
  memos: string[];
}

export type RequestRejection =
  | "FAILED"
  | "NO_REFERENCE"
  | "MEMO_MISMATCH"
  | "WRONG_MINT"
  | "UNDERPAID"
  | "WRONG_DESTINATION";

export type RequestCheck = { ok: true; received: bigint } | { ok: false; reason: RequestRejection };

export function readIncomingTransfer(tx: ChainTransaction, target: DepositTarget): IncomingTransfer {
  const mint = target.mint.toBase58();
  const treasury = target.treasury.toBase58();
  const treasuryAccount = tokenAccountOf(target.mint, target.treasury).toBase58();
  let received = 0n;
  let otherMintReceived = false;
  const senders = new Set<string>();
  for (const c of tx.tokenBalanceChanges) {
    const delta = c.post - c.pre;
    if (c.mint === mint && c.account === treasuryAccount) received += delta;
    else if (c.mint === mint && delta < 0n && c.owner) senders.add(c.owner);
    else if (c.mint !== mint && c.owner === treasury && delta > 0n) otherMintReceived = true;
  }
  return {
    signature: tx.signature,
    slot: tx.slot,
    err: tx.err,
    received: tx.err ? 0n : received,
    senders: [...senders],
    otherMintReceived: !tx.err && otherMintReceived,
    accounts: tx.accounts,
    memos: tx.memos,
  };
}

export function validateRequestPayment(
  transfer: IncomingTransfer,
  request: { reference: PublicKey; amount: bigint; memo?: string | undefined },
): RequestCheck {
  if (transfer.err) return { ok: false, reason: "FAILED" };
  if (!transfer.accounts.includes(request.reference.toBase58())) return { ok: false, reason: "NO_REFERENCE" };
  if (request.memo !== undefined && !transfer.memos.includes(request.memo)) {
    return { ok: false, reason: "MEMO_MISMATCH" };
  }
  if (transfer.received >= request.amount && transfer.received > 0n) {
    return { ok: true, received: transfer.received };
  }
  if (transfer.received > 0n) return { ok: false, reason: "UNDERPAID" };
  if (transfer.otherMintReceived) return { ok: false, reason: "WRONG_MINT" };
  return { ok: false, reason: "WRONG_DESTINATION" };
}
