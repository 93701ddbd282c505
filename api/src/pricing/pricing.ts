import type { ModelManifest, Pricing } from "@neurogrid/schema";

/**
 * What a task costs. All arithmetic is bigint in the token's smallest unit.
 *
 * Rules (tested in pricing.test.ts):
 *   - escrow at submission = price x maxUnits (the most a task can cost);
 *   - call: a completed call costs price; a call that did not complete costs 0;
 *   - output_token: tokens produced x price, whether or not the task completed (tokens that
 *     reached the client were delivered), never more than the escrow;
 *   - compute_ms: model time rounded UP to whole milliseconds, x price, capped at maxUnits ms
 *     (the timeout), as Nosana charges price x min(runtime, timeout); a call that never started
 *     costs 0;
 *   - the provider gets cost less the platform fee (contracts' splitFee: fee rounds down);
 *   - the rest of the escrow goes back to the client.
 */
export interface Usage {
  completed: boolean;
  outputTokens?: number;
  computeMs?: number;
}

export function pricingOf(manifest: ModelManifest): Pricing {
  return manifest.pricing ?? { unit: "call", price: manifest.pricePerCall, maxUnits: 1 };
}

export function escrowOf(pricing: Pricing): bigint {
  return BigInt(pricing.price) * BigInt(pricing.maxUnits);
}

export function unitsUsed(pricing: Pricing, usage: Usage): bigint {
  switch (pricing.unit) {
    case "call":
      return usage.completed ? 1n : 0n;
    case "output_token":
      return BigInt(Math.max(0, Math.floor(usage.outputTokens ?? 0)));
    case "compute_ms":
      return BigInt(Math.max(0, Math.ceil(usage.computeMs ?? 0)));
  }
}

export function costOf(pricing: Pricing, usage: Usage): { units: bigint; cost: bigint } {
  const max = BigInt(pricing.maxUnits);
  const used = unitsUsed(pricing, usage);
  const units = used > max ? max : used;
  return { units, cost: units * BigInt(pricing.price) };
}
