/**
 * Splitting a payment between the platform and the provider.
 *
 * Rounding rule (the only one; the ledger relies on it):
 *   fee      = floor(amount * feeBps / 10000)
 *   provider = amount - fee
 * so the two parts always sum to the amount exactly, and any remainder of the division (less
 * than one smallest unit) goes to the provider. Amounts are non-negative integers in smallest
 * units (see neuro-amount.ts); a fee rate is an integer number of basis points, 0..10000
 * (10000 bps = 100%).
 */
import { ContractsError } from "./errors.js";

export const MAX_FEE_BPS = 10_000;

export interface FeeSplit {
  /** The platform's part: floor(amount * feeBps / 10000). */
  fee: bigint;
  /** The provider's part: amount - fee. */
  provider: bigint;
}

export function splitFee(amount: bigint, feeBps: number): FeeSplit {
  if (typeof amount !== "bigint" || amount < 0n) {
    throw new ContractsError(
      "INVALID_AMOUNT",
      `amount to split must be a non-negative bigint, got ${String(amount)}`,
    );
  }
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > MAX_FEE_BPS) {
    throw new ContractsError(
      "INVALID_FEE_BPS",
      `fee must be an integer number of basis points in 0..${MAX_FEE_BPS}, got ${feeBps}`,
    );
  }
  // bigint division truncates toward zero, which is floor for the non-negative values here.
  const fee = (amount * BigInt(feeBps)) / BigInt(MAX_FEE_BPS);
  return { fee, provider: amount - fee };
}
