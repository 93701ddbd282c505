/**
 * Solana Pay transfer requests (https://docs.solanapay.com/spec), for NEURO deposits:
 *
 *   solana:<recipient>?amount=<decimal>&spl-token=<mint>&reference=<key>&label=<…>&message=<…>&memo=<…>
 *
 * The recipient is the treasury WALLET; a wallet app pays the associated token account of
 * (recipient, spl-token), with the reference as a read-only, non-signing account of the transfer
 * instruction, and the memo in a memo instruction before it. The reference is a fresh random
 * public key per request: the chain's index of transactions by account finds the payment by it.
 *
 * Encoded and parsed here, to the spec, rather than with @solana/pay: its current releases are
 * built on @solana/kit 6 plugins, not on the @solana/web3.js 1.x this package uses.
 */
import { Keypair, type PublicKey } from "@solana/web3.js";
import { ContractsError } from "../errors.js";
import { formatNeuro, parseNeuro } from "../neuro-amount.js";
import { parseAddress } from "../solana/address.js";

export interface TransferRequest {
  recipient: PublicKey;
  /** Smallest units (formatted as a decimal NEURO amount in the URL). */
  amount: bigint;
  splToken: PublicKey;
  reference: PublicKey;
  label?: string;
  message?: string;
  memo?: string;
}

/** A fresh reference key (its secret is never needed: it only marks the transaction). */
export function newReference(): PublicKey {
  return Keypair.generate().publicKey;
}

export function encodeTransferRequest(request: TransferRequest): string {
  if (request.amount <= 0n)
    throw new ContractsError("INVALID_AMOUNT", "a transfer request's amount is positive");
  const params: [string, string][] = [
    ["amount", formatNeuro(request.amount)],
    ["spl-token", request.splToken.toBase58()],
    ["reference", request.reference.toBase58()],
  ];
  if (request.label) params.push(["label", request.label]);
  if (request.message) params.push(["message", request.message]);
  if (request.memo) params.push(["memo", request.memo]);
  const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
  return `solana:${request.recipient.toBase58()}?${query}`;
}

/** What a wallet app reads from a transfer request URL (NEURO: 9 decimals). */
export function parseTransferRequest(url: string): TransferRequest {
  const match = /^solana:([^?]+)\?(.*)$/.exec(url);
  if (!match?.[1]) throw new ContractsError("INVALID_ADDRESS", "not a Solana Pay transfer request URL");
  const params = new URLSearchParams(match[2]);
  const required = (name: string) => {
    const value = params.get(name);
    if (value === null) throw new ContractsError("INVALID_AMOUNT", `transfer request without ${name}`);
    return value;
  };
  const optional = (name: string) => params.get(name) ?? undefined;
  return {
    recipient: parseAddress(decodeURIComponent(match[1]), "recipient"),
    amount: parseNeuro(required("amount")),
    splToken: parseAddress(required("spl-token"), "spl-token"),
    reference: parseAddress(required("reference"), "reference"),
    label: optional("label"),
    message: optional("message"),
    memo: optional("memo"),
  };
}
