import { splitFee } from "@neurogrid/contracts";
import type { Pricing } from "@neurogrid/schema";
import { costOf, type Usage } from "../pricing/pricing.js";

/**
 * The three movements of a task's money, as legs (pure; the statements that write them are
 * hold-statement.ts and settle-statement.ts). Each sums to zero:
 *
 *   hold      client available  -escrow   client held       +escrow
 *   capture   client held       -escrow   client available  +(escrow - cost - extra)
 *             provider pending  +(cost - fee)                platform fees +(fee + extra)
 *   refund    client held       -escrow   client available  +escrow
 *
 * The provider's share is held in its pending account until the task is verified or its
 * verification window passes (verification-money.ts: release, forfeit, penalty). `extra` is the
 * price of the check a client asked for (`verify`, the task drawn): the task's cost once more,
 * kept by the platform, which runs the check (refunded if the check could not run).
 *
 * The cost comes from the usage (pricing.ts, never more than the escrow); the fee is contracts'
 * splitFee (rounds down, the provider gets the rest).
 */
export interface Leg {
  accountId: string;
  amount: bigint;
}

/** A client's two accounts (accounts.ts clientAccounts). */
export interface ClientAccounts {
  available: string;
  held: string;
}

export function holdLegs(client: ClientAccounts, escrow: bigint): Leg[] {
  return [
    { accountId: client.available, amount: -escrow },
    { accountId: client.held, amount: escrow },
  ];
}

export function refundLegs(client: ClientAccounts, escrow: bigint): Leg[] {
  return [
    { accountId: client.held, amount: -escrow },
    { accountId: client.available, amount: escrow },
  ];
}

export interface CaptureSplit {
  units: bigint;
  cost: bigint;
  fee: bigint;
  providerEarning: bigint;
}

/** What a task that ran with this usage costs, and how it splits. */
export function captureSplit(pricing: Pricing, usage: Usage, platformFeeBps: number): CaptureSplit {
  const { units, cost } = costOf(pricing, usage);
  const { fee, provider } = splitFee(cost, platformFeeBps);
  return { units, cost, fee, providerEarning: provider };
}

/** `earnings.provider`: the provider's pending account (accounts.ts providerPendingAccount). */
export function captureLegs(
  client: ClientAccounts,
  escrow: bigint,
  split: CaptureSplit,
  earnings: { provider: string; platform: string },
  extra = 0n,
): Leg[] {
  return [
    { accountId: client.held, amount: -escrow },
    { accountId: client.available, amount: escrow - split.cost - extra },
    { accountId: earnings.provider, amount: split.providerEarning },
    { accountId: earnings.platform, amount: split.fee + extra },
  ];
}

/** Whether legs balance (they must: the database refuses a statement whose legs do not). */
export function balances(legs: readonly Leg[]): boolean {
  return legs.reduce((sum, l) => sum + l.amount, 0n) === 0n;
}
