/**
 * DEFAULT: the hybrid policy, after Ray's HybridSchedulingPolicy.
 *
 * Assumptions:
 * - Packing first keeps nodes free for large requests and lets idle nodes be reclaimed; but
 *   packing a node to the brim makes it a hot spot. So: among the nodes that fit, take the
 *   busiest one whose utilisation (its busiest resource's used fraction) is still below
 *   `spreadThreshold` (0.5 by default); once every node that fits is at or above it, take the
 *   least busy one (spread).
 * - Utilisation is bucketed in steps of 1/20 (node-index.ts); within a bucket the node that
 *   joined (or was re-filed) first wins, so choices are deterministic for a given history.
 * - A request without GPUs goes to nodes without GPUs when any fits, keeping GPU nodes for GPU
 *   work (Ray avoids GPU nodes the same way).
 * - Label selectors narrow the candidates; they do not change the order.
 */
import type { Demand } from "./demand.js";
import type { CompiledSelector } from "./label-selector.js";
import { type Choice, choose, type PolicyContext } from "./policy.js";

export function hybridPolicy(
  ctx: PolicyContext,
  demand: Demand,
  selector: CompiledSelector | undefined,
  exclude?: ReadonlySet<string>,
): Choice {
  return choose(ctx, demand, "pack", selector, exclude);
}
