/**
 * Solana addresses at the package's edge: base58 text in, PublicKey out, with a typed error for
 * anything that is not exactly 32 bytes of base58.
 */
import { PublicKey } from "@solana/web3.js";
import bs58 from "bs58";
import { ContractsError } from "../errors.js";

/** Parses a base58 address; `what` names it in the error ("recipient wallet"). */
export function parseAddress(text: string, what = "address"): PublicKey {
  let bytes: Uint8Array;
  try {
    if (typeof text !== "string" || text.length === 0 || text.length > 44) throw new Error("bad length");
    bytes = bs58.decode(text);
  } catch {
    throw new ContractsError(
      "INVALID_ADDRESS",
      `${what} is not a base58 Solana address: ${JSON.stringify(text)}`,
    );
  }
  if (bytes.length !== 32) {
    throw new ContractsError(
      "INVALID_ADDRESS",
      `${what} must decode to 32 bytes, got ${bytes.length}: ${JSON.stringify(text)}`,
    );
  }
  return new PublicKey(bytes);
}

/** True when the address is a point on the ed25519 curve, i.e. can be a wallet that signs. */
export function isWalletAddress(address: PublicKey): boolean {
  return PublicKey.isOnCurve(address.toBytes());
}
