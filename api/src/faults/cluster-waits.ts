import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterClient } from "@neurogrid/cluster";
import type { Prng } from "../chaos/prng.js";
import { MODEL_NAMESPACE } from "../tasks/model-actor-spec.js";

/** Waits, polling the head, until `node` is in `state` (or gone, for DEAD); when it was seen. */
export async function untilNodeState(
  cluster: ClusterClient,
  nodeId: string,
  state: "ALIVE" | "DEAD",
  timeoutMs = 30_000,
): Promise<number> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const node = (await cluster.listNodes()).find((n) => n.nodeId === nodeId);
      if (state === "DEAD" ? !node || node.state === "DEAD" : node?.state === "ALIVE") return Date.now();
    } catch {
      // the head did not answer this time
    }
    await sleep(50);
  }
  throw new Error(`the head did not see node ${nodeId} ${state} within ${timeoutMs} ms`);
}

/** The node hosting a live actor of the model (pausing an idle node tests nothing); else a pick. */
export async function actorHost(cluster: ClusterClient, nodeIds: string[], rng: Prng): Promise<string> {
  try {
    const actors = await cluster.listActors(MODEL_NAMESPACE);
    const alive = actors.find((a) => a.state === "ALIVE" && nodeIds.includes(a.nodeId));
    if (alive) return alive.nodeId;
  } catch {
    // the head did not answer: pick one
  }
  return nodeIds[Math.floor(rng.next() * nodeIds.length)] as string;
}
