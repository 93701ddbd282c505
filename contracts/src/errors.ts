/**
 * The contracts package's typed errors. Every error this package throws is a ContractsError with
 * a stable string `code`; callers (the api) convert codes to their own errors only at their edge.
 *
 * No message ever contains key material: errors about the treasury keypair name the file, never
 * its contents, and no Keypair object is ever passed as a `cause`.
 */
export type ContractsErrorCode =
  | "INVALID_AMOUNT" // not a valid NEURO amount (bad decimal string, too many decimals, negative where not allowed)
  | "INVALID_FEE_BPS" // a fee rate outside 0..10000 basis points, or not an integer
  | "INVALID_ADDRESS" // not a base58 string of a 32-byte Solana address
  | "KEYPAIR_FILE_UNREADABLE" // the keypair file could not be read
  | "KEYPAIR_FILE_INSECURE" // the keypair file may be read by its group or others (not 0600)
  | "KEYPAIR_INVALID" // the keypair file is not a JSON array of 64 bytes forming a valid ed25519 keypair
  | "INVALID_MINT" // the mint account is missing, not an SPL token mint, or has other decimals than NEURO
  | "RPC_ERROR" // an RPC call failed (network, server, or a send the node refused); a send's outcome is unknown
  | "TX_FAILED" // the transaction landed on chain with an error (nothing in it took effect, the fee was paid)
  | "TX_EXPIRED" // the blockhash expired (block height past lastValidBlockHeight) and the signature is unknown
  | "TX_TOO_LARGE" // a single instruction group does not fit one transaction (bytes, account locks, trace)
  | "INVALID_PAYOUT" // a payout batch entry is malformed (empty or duplicate id, amount not in 1..2^64-1)
  | "ATTEMPT_CONFLICT" // a payout already has a pending or confirmed attempt (two senders on one batch)
  | "LOOKUP_TABLE_INVALID" // a stored lookup table address is missing on chain or not owned by the treasury
  | "WALLET_PROOF_MALFORMED" // the signed message is not a sign-in message this package produces
  | "WALLET_PROOF_WRONG_DOMAIN" // the message names another domain than the one verifying it
  | "WALLET_PROOF_ADDRESS_MISMATCH" // the message names another address than the one claimed
  | "WALLET_PROOF_EXPIRED" // the challenge's expiration time has passed
  | "WALLET_PROOF_NOT_YET_VALID" // the challenge was issued in the future (beyond the allowed clock skew)
  | "WALLET_PROOF_BAD_SIGNATURE"; // the ed25519 signature does not verify (wrong key, tampered message)

export class ContractsError extends Error {
  override readonly name = "ContractsError";
  constructor(
    readonly code: ContractsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isContractsError(err: unknown): err is ContractsError {
  return err instanceof ContractsError;
}

/** Narrows an unknown thrown value to a short text for messages and stored error columns. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
