/**
 * Wallet-ownership proofs: the server issues a sign-in challenge (createWalletChallenge), the
 * wallet signs the message's UTF-8 bytes with ed25519, and verifyWalletProof checks the signature
 * against the base58 address and the message's domain and validity window.
 *
 * What is NOT here, by design: single use. The api stores each issued nonce, and consumes it
 * atomically when a proof verifies (a nonce is accepted once, and only for the address it was
 * issued to). verifyWalletProof returns the nonce for that.
 *
 * Check order, so each failure has one meaning: the claimed address is well formed
 * (INVALID_ADDRESS), the message parses (WALLET_PROOF_MALFORMED), it names that address
 * (WALLET_PROOF_ADDRESS_MISMATCH), the signature verifies (WALLET_PROOF_BAD_SIGNATURE; a tampered
 * message lands here), then the domain (WALLET_PROOF_WRONG_DOMAIN) and the time window
 * (WALLET_PROOF_NOT_YET_VALID, WALLET_PROOF_EXPIRED).
 */
import bs58 from "bs58";
import nacl from "tweetnacl";
import { ContractsError } from "../errors.js";
import { parseAddress } from "../solana/address.js";
import {
  buildSignInMessage,
  generateNonce,
  parseSignInMessage,
  type SignInFields,
} from "./sign-in-message.js";

export interface WalletChallengeOptions {
  domain: string;
  address: string;
  statement?: string;
  uri?: string;
  chainId?: string;
  /** Defaults to a fresh random nonce. */
  nonce?: string;
  /** Defaults to now. */
  issuedAt?: Date;
  /** How long the challenge stays valid (default 5 minutes). */
  ttlMs?: number;
}

export interface WalletChallenge {
  message: string;
  nonce: string;
  issuedAt: Date;
  expiresAt: Date;
}

export const DEFAULT_CHALLENGE_TTL_MS = 5 * 60_000;
/** Clock skew tolerated between the server that issued and the one that verifies. */
export const DEFAULT_CLOCK_SKEW_MS = 60_000;

export function createWalletChallenge(options: WalletChallengeOptions): WalletChallenge {
  const issuedAt = new Date(Math.floor((options.issuedAt ?? new Date()).getTime()));
  const expiresAt = new Date(issuedAt.getTime() + (options.ttlMs ?? DEFAULT_CHALLENGE_TTL_MS));
  const fields: SignInFields = {
    domain: options.domain,
    address: parseAddress(options.address, "wallet address").toBase58(),
    statement: options.statement,
    uri: options.uri,
    chainId: options.chainId,
    nonce: options.nonce ?? generateNonce(),
    issuedAt,
    expirationTime: expiresAt,
  };
  return { message: buildSignInMessage(fields), nonce: fields.nonce, issuedAt, expiresAt };
}

export interface VerifyWalletProofInput {
  message: string;
  /** The ed25519 signature of the message's UTF-8 bytes: raw 64 bytes or base58. */
  signature: Uint8Array | string;
  /** The address the client claims. */
  address: string;
  expectedDomain: string;
  now?: Date;
  clockSkewMs?: number;
}

export interface VerifiedWalletProof {
  address: string;
  nonce: string;
  issuedAt: Date;
  expiresAt: Date;
  fields: SignInFields;
}

function decodeSignature(signature: Uint8Array | string): Uint8Array | null {
  if (typeof signature !== "string") return signature;
  try {
    return bs58.decode(signature);
  } catch {
    return null;
  }
}

export function verifyWalletProof(input: VerifyWalletProofInput): VerifiedWalletProof {
  const publicKey = parseAddress(input.address, "wallet address");
  const fields = parseSignInMessage(input.message);
  if (fields.address !== publicKey.toBase58()) {
    throw new ContractsError(
      "WALLET_PROOF_ADDRESS_MISMATCH",
      `the message is for ${fields.address}, not ${publicKey.toBase58()}`,
    );
  }
  const signature = decodeSignature(input.signature);
  const valid =
    signature !== null &&
    signature.length === nacl.sign.signatureLength &&
    nacl.sign.detached.verify(new TextEncoder().encode(input.message), signature, publicKey.toBytes());
  if (!valid) {
    throw new ContractsError(
      "WALLET_PROOF_BAD_SIGNATURE",
      `the signature does not verify for ${fields.address}`,
    );
  }
  if (fields.domain !== input.expectedDomain) {
    throw new ContractsError(
      "WALLET_PROOF_WRONG_DOMAIN",
      `the message is for ${fields.domain}, expected ${input.expectedDomain}`,
    );
  }
  const now = (input.now ?? new Date()).getTime();
  const skew = input.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  if (fields.issuedAt.getTime() > now + skew) {
    throw new ContractsError("WALLET_PROOF_NOT_YET_VALID", `the challenge is issued in the future`);
  }
  if (fields.expirationTime.getTime() <= now) {
    throw new ContractsError(
      "WALLET_PROOF_EXPIRED",
      `the challenge expired at ${fields.expirationTime.toISOString()}`,
    );
  }
  return {
    address: fields.address,
    nonce: fields.nonce,
    issuedAt: fields.issuedAt,
    expiresAt: fields.expirationTime,
    fields,
  };
}
