import { setTimeout as sleep } from "node:timers/promises";
import { actorHost, untilNodeState } from "./cluster-waits.js";
import type { Fault } from "./fault-context.js";

/** How long the link stays cut. */
const PARTITION_MS = 10_000;

/**
 * One worker cut off for PARTITION_MS, then healed. With network namespaces (netns-links.ts)
 * its veth goes down: nothing passes between its namespace and the rest, both ways — the head's
 * link and the dispatcher's calls to its actors alike, as a pulled cable does. Without them,
 * its link proxy stops the head's link only, while the data path (the dispatcher to the
 * worker's actors) stays up — the worst case for stale answers, since its old actors stay
 * reachable while the head restarts them elsewhere.
 * The record carries the node's fence, as a pause does.
 */
export const partition: Fault = async (ctx) => {
  const nodeId = await actorHost(ctx.cluster, ctx.nodeIds, ctx.rng);
  const link = ctx.workerLinks.get(nodeId);
  if (!link) throw new Error(`worker ${nodeId} has no link proxy`);
  const down = Date.now();
  await link.cut();
  ctx.log(`faults: partition: worker ${nodeId} cut off from the head for ${PARTITION_MS} ms`);
  let deadAt: number;
  try {
    deadAt = await untilNodeState(ctx.cluster, nodeId, "DEAD", PARTITION_MS);
    await sleep(Math.max(0, down + PARTITION_MS - Date.now()));
  } finally {
    await link.heal();
  }
  ctx.log(`faults: partition healed (worker ${nodeId} declared DEAD ${deadAt - down} ms after the cut)`);
  const backAt = await untilNodeState(ctx.cluster, nodeId, "ALIVE");
  return { target: nodeId, downMs: backAt - down, fence: { nodeId, deadAt, backAt } };
};
