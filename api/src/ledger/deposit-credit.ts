import type { Leg } from "./movements.js";

/**
 * The movement of NEURO that reached the treasury on chain (pure; the statement that writes it
 * is deposit-credit-statement.ts). It sums to zero:
 *
 *   chain deposit   external  -amount   target  +amount
 *
 * where the target is the paying client's available balance (a request paid as asked, or a
 * transfer from the client's linked wallet), or the platform's unmatched deposits account (the
 * treasury holds the money, nobody is credited: an admin sorts it out).
 */
export function depositCreditLegs(external: string, target: string, amount: bigint): Leg[] {
  if (amount <= 0n) return [];
  return [
    { accountId: external, amount: -amount },
    { accountId: target, amount },
  ];
}
