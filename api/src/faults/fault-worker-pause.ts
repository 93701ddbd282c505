import { setTimeout as sleep } from "node:timers/promises";
import { actorHost, untilNodeState } from "./cluster-waits.js";
import type { Fault } from "./fault-context.js";
import { processTree } from "./process-tree.js";

/** How long the node stays paused after the head declared it DEAD (its actors move meanwhile). */
const PAST_DEATH_MS = 1500;

/**
 * A worker paused, as a stopped VM is: SIGSTOP to the worker agent and every actor process it
 * runs, held until the head has declared the node DEAD (its death timeout) and a little longer,
 * then SIGCONT. The record carries the node's fence (declared DEAD, ALIVE again): an answer its
 * old actors gave after the fence is stale.
 */
export const workerPause: Fault = async (ctx) => {
  const nodeId = await actorHost(ctx.cluster, ctx.nodeIds, ctx.rng);
  const root = ctx.processes.pid("worker", nodeId);
  if (root === undefined) throw new Error(`worker ${nodeId} has no PID`);
  const pids = processTree(root);
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // it exited
      }
    }
  };
  const down = Date.now();
  signal("SIGSTOP");
  ctx.log(`faults: SIGSTOP worker ${nodeId} (${pids.length} processes)`);
  let deadAt: number;
  try {
    deadAt = await untilNodeState(ctx.cluster, nodeId, "DEAD", ctx.heartbeatTimeoutMs * 10);
    await sleep(PAST_DEATH_MS);
  } finally {
    signal("SIGCONT");
  }
  ctx.log(`faults: SIGCONT worker ${nodeId} (declared DEAD ${deadAt - down} ms after the pause)`);
  const backAt = await untilNodeState(ctx.cluster, nodeId, "ALIVE");
  return { target: nodeId, downMs: backAt - down, fence: { nodeId, deadAt, backAt } };
};
