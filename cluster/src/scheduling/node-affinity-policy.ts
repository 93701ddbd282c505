/**
 * NODE_AFFINITY, after Ray's NodeAffinitySchedulingStrategy: run on one named node.
 *
 * Assumptions:
 * - Hard (soft = false): only that node. If it is unknown or dead the request is not
 *   satisfiable now ("never" until such a node registers); if it lacks room, the request waits
 *   for room there.
 * - Soft: that node when it is alive and fits (and matches the label selector); otherwise the
 *   DEFAULT hybrid policy picks another node.
 * - Cost: one lookup by node id.
 */
import type { Demand } from "./demand.js";
import { hybridPolicy } from "./hybrid-policy.js";
import { type CompiledSelector, matches } from "./label-selector.js";
import type { Choice, PolicyContext } from "./policy.js";

export function nodeAffinityPolicy(
  ctx: PolicyContext,
  demand: Demand,
  selector: CompiledSelector | undefined,
  nodeId: string,
  soft: boolean,
): Choice {
  const node = ctx.nodes.get(nodeId);
  let reason: string;
  let never = false;
  if (node === undefined) {
    reason = `node ${nodeId} (node affinity) is not alive`;
    never = true;
  } else if (!matches(selector, node.labels)) {
    reason = `node ${nodeId} (node affinity) does not match the label selector`;
    never = true;
  } else {
    const why = node.capacity.misfit(demand);
    if (why === undefined) return { node };
    reason = `node ${nodeId} (node affinity): ${why}`;
  }
  return soft ? hybridPolicy(ctx, demand, selector) : { reason, never };
}
