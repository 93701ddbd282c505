/** The attempt's record of the actor incarnation serving it (attempt-scope.ts). */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ReplicaLease } from "@neurogrid/cluster";
import { type ActorInfo, ActorState, actorId, nodeId } from "@neurogrid/schema";
import { AttemptScope, runningOn } from "./attempt-scope.js";

function replica(id: string, epoch: number, node = "n1"): ActorInfo {
  return {
    actorId: actorId(id),
    name: id,
    namespace: "models",
    className: "model",
    state: ActorState.ALIVE,
    nodeId: nodeId(node),
    address: `127.0.0.1:${1000 + epoch}`,
    gpuIds: [],
    pid: 1,
    deathCause: "",
    epoch,
  };
}

test("a call moved to another incarnation is recorded before it is sent there; the leased one is not", async () => {
  const moves: ReturnType<typeof runningOn>[] = [];
  const scope = new AttemptScope("t1", 1_000, new Map(), undefined, async (r) => moves.push(runningOn(r)));
  const leased = replica("a1", 1);
  const lease: ReplicaLease = { replica: leased, release: () => {} };
  const options = scope.callOptions(lease);
  await options.onReplica?.(leased);
  assert.deepEqual(moves, [], "the start already recorded the leased incarnation");
  await options.onReplica?.(replica("a1", 2, "n2"));
  await options.onReplica?.(replica("b1", 2, "n3"));
  assert.deepEqual(moves, [
    { nodeId: "n2", actorId: "a1", epoch: 2 },
    { nodeId: "n3", actorId: "b1", epoch: 2 },
  ]);
  assert.equal(scope.servedBy(leased).actorId, "b1");
  scope.end();
});
