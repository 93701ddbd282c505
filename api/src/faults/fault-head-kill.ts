import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterClient } from "@neurogrid/cluster";
import { MODEL_NAMESPACE } from "../tasks/model-actor-spec.js";
import { untilNodeState } from "./cluster-waits.js";
import type { Fault } from "./fault-context.js";

/**
 * kill -9 of the head during load, started again at once on the same port and the same Redis
 * tables: it adopts the nodes and actors the old one had. Every worker must register again
 * (a node that does not is DEAD after the heartbeat timeout and the restore grace), so the
 * fault is over when, that long after the restart, every node is ALIVE. The record says how
 * many of the model actors alive before the kill were adopted: still ALIVE afterwards in the
 * same process (a node that registered too late had its actors restarted elsewhere).
 */
export const headKill: Fault = async (ctx) => {
  const before = await liveActors(ctx.cluster);
  const pid = await ctx.processes.kill("head");
  const down = Date.now();
  ctx.log(`faults: kill -9 head (pid ${pid})`);
  await ctx.processes.startHead();
  const downMs = Date.now() - down;
  await sleep(ctx.heartbeatTimeoutMs + ctx.restoreGraceMs + 500);
  for (const nodeId of ctx.nodeIds) await untilNodeState(ctx.cluster, nodeId, "ALIVE", 5000);
  const after = await liveActors(ctx.cluster);
  const adopted = [...before].filter(([id, pidOn]) => after.get(id) === pidOn).length;
  return {
    target: "head",
    downMs,
    notAdopted: before.size - adopted,
    detail: `${adopted} of ${before.size} live actors adopted`,
  };
};

/** The model actors ALIVE now: actor id -> "pid@node". */
async function liveActors(cluster: ClusterClient): Promise<Map<string, string>> {
  try {
    const actors = await cluster.listActors(MODEL_NAMESPACE);
    return new Map(actors.filter((a) => a.state === "ALIVE").map((a) => [a.actorId, `${a.pid}@${a.nodeId}`]));
  } catch {
    return new Map();
  }
}
