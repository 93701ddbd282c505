import { setTimeout as sleep } from "node:timers/promises";
import { actorHost, untilNodeState } from "./cluster-waits.js";
import type { Fault } from "./fault-context.js";

/** How long the link stays cut. */
const PARTITION_MS = 10_000;

/**
 * One worker cut off from the head for PARTITION_MS, then healed: nothing passes between the
 * worker (and the head's calls to it) and the head, both ways, through the worker's link proxy,
 * while the data path (the dispatcher to the worker's actors) stays up — the worst case for
 * stale answers, since its old actors stay reachable while the head restarts them elsewhere.
 * The record carries the node's fence, as a pause does.
 */
export const partition: Fault = async (ctx) => {
  const nodeId = await actorHost(ctx.cluster, ctx.nodeIds, ctx.rng);
  const link = ctx.workerLinks.get(nodeId);
  if (!link) throw new Error(`worker ${nodeId} has no link proxy`);
  const down = Date.now();
  link.cut();
  ctx.log(`faults: partition: worker ${nodeId} cut off from the head for ${PARTITION_MS} ms`);
  let deadAt: number;
  try {
    deadAt = await untilNodeState(ctx.cluster, nodeId, "DEAD", PARTITION_MS);
    await sleep(Math.max(0, down + PARTITION_MS - Date.now()));
  } finally {
    link.heal();
  }
  ctx.log(`faults: partition healed (worker ${nodeId} declared DEAD ${deadAt - down} ms after the cut)`);
  const backAt = await untilNodeState(ctx.cluster, nodeId, "ALIVE");
  return { target: nodeId, downMs: backAt - down, fence: { nodeId, deadAt, backAt } };
};
