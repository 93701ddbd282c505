import type { Leg } from "./movements.js";

/**
 * A client's withdrawal to its linked wallet, as legs (pure; withdrawal-statement.ts writes
 * them). Each sums to zero:
 *
 *   withdrawal  (at request)   client available     -amount   withdrawals in flight  +amount
 *   settled     (confirmed)    withdrawals in flight -amount  external               +amount
 *   returned    (failed)       withdrawals in flight -amount  client available       +amount
 */
export function withdrawalLegs(available: string, inFlight: string, amount: bigint): Leg[] {
  return [
    { accountId: available, amount: -amount },
    { accountId: inFlight, amount },
  ];
}

export function withdrawalEndLegs(inFlight: string, counterpart: string, amount: bigint): Leg[] {
  return [
    { accountId: inFlight, amount: -amount },
    { accountId: counterpart, amount },
  ];
}
