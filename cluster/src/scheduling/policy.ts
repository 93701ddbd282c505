/**
 * What every placement policy gets and gives: the node index, a compiled label selector, and
 * back either a node or the reason none was chosen. Policies are pure decisions: they take
 * nothing; the scheduler (scheduler.ts) allocates on the node a policy picked.
 */
import type { Demand } from "./demand.js";
import { type CompiledSelector, matches } from "./label-selector.js";
import type { IndexedNode, NodeIndex, Walk } from "./node-index.js";

export interface PolicyContext {
  readonly index: NodeIndex;
  readonly nodes: ReadonlyMap<string, IndexedNode>;
  /** key=value label -> the index of the nodes that have it. */
  readonly byLabel: ReadonlyMap<string, NodeIndex>;
  /** Hybrid policy: utilisation up to which nodes are packed (Ray's default 0.5). */
  readonly spreadThreshold: number;
}

export type Choice = { node: IndexedNode } | { reason: string; never: boolean };

const EXAMPLES = 3;

/**
 * The first node in `walk` order that matches the selector and fits `demand`. Without a
 * selector it walks the index of all nodes; with one, the index of the nodes that carry the
 * rarest of its key=value labels (all nodes when it has no plain-equality term), skipping the
 * nodes the rest of the selector rules out.
 */
export function choose(
  ctx: PolicyContext,
  demand: Demand,
  walk: Walk,
  selector: CompiledSelector | undefined,
  exclude?: ReadonlySet<string>,
): Choice {
  const misfits: string[] = [];
  let visited = 0;
  const accept = (node: IndexedNode): boolean => {
    if (!matches(selector, node.labels) || exclude?.has(node.nodeId)) return false;
    visited++;
    const why = node.capacity.misfit(demand);
    if (why === undefined) return true;
    if (misfits.length < EXAMPLES) misfits.push(`${node.nodeId}: ${why}`);
    return false;
  };
  const found = indexFor(ctx, selector)?.find(demand, walk, ctx.spreadThreshold, accept);
  if (found !== undefined) return { node: found };
  if (visited === 0) {
    const what =
      selector === undefined
        ? "no node could ever host it"
        : "no node matching the label selector could ever host it";
    return { reason: ctx.nodes.size === 0 ? "no live nodes" : what, never: true };
  }
  const more = visited > misfits.length ? ` (and ${visited - misfits.length} more nodes)` : "";
  return { reason: `no node has room now: ${misfits.join("; ")}${more}`, never: false };
}

function indexFor(ctx: PolicyContext, selector: CompiledSelector | undefined): NodeIndex | undefined {
  let smallest: NodeIndex | undefined;
  for (const label of selector?.equalities ?? []) {
    const index = ctx.byLabel.get(label);
    if (index === undefined) return undefined;
    if (smallest === undefined || index.size < smallest.size) smallest = index;
  }
  return smallest ?? ctx.index;
}
