/**
 * Placement-group strategies, after Ray's bundle scheduling: reserve every bundle of a group,
 * or none (what was reserved for a group that does not fit entirely is given back before the
 * call returns, so a failed attempt leaves nothing behind).
 *
 * Assumptions (greedy, in bundle order, like Ray's):
 * - STRICT_PACK: one node must hold all bundles at once; the node is found by the hybrid
 *   policy's walk, checking the whole set on each candidate.
 * - PACK: STRICT_PACK when some node can; otherwise bundle by bundle, trying the nodes the
 *   group already uses first, then the hybrid policy.
 * - STRICT_SPREAD: bundle by bundle, each on a node the group does not use yet. Greedy: with
 *   very uneven bundles it can miss an assignment that exists.
 * - SPREAD: like STRICT_SPREAD, but a bundle that finds no unused node may share one.
 * - The group's label selector applies to every bundle.
 * - Rescheduling (bundles lost with their node): only the lost bundles are placed again, and
 *   the nodes of the bundles kept count as used (STRICT_PACK: the lost ones must go where the
 *   kept ones are).
 */
import type { LabelSelector, PlacementStrategy } from "@neurogrid/schema";
import type { Demand } from "./demand.js";
import type { Outcome, Placement, PlaceOptions, Scheduler } from "./scheduler.js";

export type BundlesOutcome = { placed: Placement[] } | { reason: string; never: boolean };

export function reserveBundles(
  scheduler: Scheduler,
  ids: readonly string[],
  demands: readonly Demand[],
  strategy: PlacementStrategy,
  labelSelector: LabelSelector | undefined,
  kept: readonly string[] = [],
): BundlesOutcome {
  const placed: Placement[] = [];
  const used = new Set<string>(kept);
  const fail = (why: { reason: string; never: boolean }, index: number): BundlesOutcome => {
    for (const id of ids.slice(0, placed.length)) scheduler.release(id);
    return { reason: `bundle ${index}: ${why.reason}`, never: why.never };
  };
  let together: string | undefined;
  if (strategy === "STRICT_PACK" && kept.length > 0) together = kept[0];
  else if (strategy === "STRICT_PACK" || strategy === "PACK")
    together = scheduler.nodeForAll(demands, labelSelector);
  if (strategy === "STRICT_PACK" && together === undefined) {
    return { reason: `no node can host all ${demands.length} bundles together (STRICT_PACK)`, never: false };
  }
  for (const [i, demand] of demands.entries()) {
    const id = ids[i] ?? "";
    const base: PlaceOptions = { labelSelector };
    let outcome: Outcome;
    if (together !== undefined) {
      outcome = scheduler.place(id, demand, {
        ...base,
        strategy: { kind: "NODE_AFFINITY", nodeId: together, soft: false },
      });
    } else if (strategy === "PACK") {
      outcome = scheduler.place(id, demand, { ...base, prefer: [...used] });
    } else {
      outcome = scheduler.place(id, demand, { ...base, exclude: used });
      if ("reason" in outcome && strategy === "SPREAD") outcome = scheduler.place(id, demand, base);
    }
    if ("reason" in outcome) return fail(outcome, i);
    placed.push(outcome.placed);
    used.add(outcome.placed.nodeId);
  }
  return { placed };
}
