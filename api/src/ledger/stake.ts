import type { Leg } from "./movements.js";

/**
 * A provider's stake, as legs (pure; stake-statement.ts writes them). Each sums to zero:
 *
 *   stake             provider earnings  -amount   provider stake     +amount
 *   unstake           provider stake     -amount   stake cooling      +amount
 *   unstake released  stake cooling      -amount   provider earnings  +amount   (after cooling-off)
 *
 * Result verification's penalties, when they draw on a provider, take from what is most
 * recently earned first: pending earnings, then available earnings, then the stake, then what
 * is cooling off (a provider cannot unstake its way out of a penalty during the period).
 */
export function stakeMoveLegs(from: string, to: string, amount: bigint): Leg[] {
  return [
    { accountId: from, amount: -amount },
    { accountId: to, amount },
  ];
}
