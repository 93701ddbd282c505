/**
 * SPREAD, after Ray's SpreadSchedulingPolicy: spread actors over as many nodes as possible.
 *
 * Assumptions:
 * - The least busy node that fits wins (utilisation buckets of 1/20, node-index.ts); among
 *   equally busy nodes, round-robin: a node that just got an actor goes to the back of its
 *   bucket. So N actors on N equal idle nodes land one per node.
 * - GPU nodes are avoided for requests without GPUs while another node fits, as with DEFAULT.
 * - Label selectors narrow the candidates.
 */
import type { Demand } from "./demand.js";
import type { CompiledSelector } from "./label-selector.js";
import { type Choice, choose, type PolicyContext } from "./policy.js";

export function spreadPolicy(
  ctx: PolicyContext,
  demand: Demand,
  selector: CompiledSelector | undefined,
  exclude?: ReadonlySet<string>,
): Choice {
  return choose(ctx, demand, "spread", selector, exclude);
}
