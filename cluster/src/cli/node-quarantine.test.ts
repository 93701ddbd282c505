/**
 * Node quarantine over gRPC, with real processes on loopback: a head with Redis storage and two
 * workers. A driver quarantines a node (SetNodeQuarantine): ListNodes shows it, the node's
 * actor moves to the other node (its process on the quarantined node is gone), an actor that
 * may only run there waits with the quarantine as its pending reason; the head is killed and
 * started again on its tables, and the quarantine holds; a restore places the waiting actor.
 * Every process this file starts is stopped by its PID, and the Redis keys are deleted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ActorSpec } from "@neurogrid/schema";
import { isAlive, waitFor } from "./testing/processes.js";
import { restartableCluster } from "./testing/restartable-cluster.js";

const HEAD_ARGS = ["--heartbeat-timeout-ms", "2000", "--heartbeat-interval-ms", "250"];
const WORKER = ["--cpus", "2", "--memory-mb", "1024", "--actor-pool-size", "0"];
const START_MS = 60_000;

function echo(name: string, strategy: ActorSpec["schedulingStrategy"]): ActorSpec {
  const resources = { cpus: 1, memoryMb: 64, gpus: 0, custom: {} };
  return {
    name,
    namespace: "quarantine",
    className: "echo",
    initArgs: {},
    resources,
    schedulingStrategy: strategy,
  };
}

describe("a quarantined node takes no work, across a head restart", { timeout: 180_000 }, () => {
  const suite = restartableCluster("node-quarantine", {
    headArgs: HEAD_ARGS,
    workers: { "q-a": WORKER, "q-b": WORKER },
  });

  const pinned = (soft: boolean) => ({ kind: "NODE_AFFINITY" as const, nodeId: "q-a", soft });

  it("moves its actors, keeps new ones off it, holds across a restart, and takes actors once restored", async () => {
    const { cluster, client } = suite;
    const first = await client.getOrCreateActor(echo("mover", pinned(true)), { timeoutMs: START_MS });
    cluster.trackActor(first.info.pid);
    assert.equal(first.info.nodeId, "q-a");

    const set = await client.setNodeQuarantine("q-a", "3 wrong results");
    assert.equal(set?.reason, "3 wrong results");
    const listed = (await client.listNodes()).find((n) => n.nodeId === "q-a");
    assert.equal(listed?.quarantine?.reason, "3 wrong results");
    assert.equal(listed?.quarantine?.sinceMs, set?.sinceMs);

    const moved = await waitFor("the actor to move to q-b", async () => {
      const info = (await client.getActor("quarantine", "mover")).info;
      return info.state === "ALIVE" ? info : undefined;
    });
    cluster.trackActor(moved.pid);
    assert.equal(moved.nodeId, "q-b");
    assert.equal(moved.numRestarts ?? 0, 0);
    await waitFor("its process on q-a to be killed", () => (isAlive(first.info.pid) ? undefined : true));

    await assert.rejects(client.getOrCreateActor(echo("only-a", pinned(false)), { timeoutMs: 1_000 }), {
      code: "DEADLINE_EXCEEDED",
    });
    const reason = /node q-a \(node affinity\): quarantined: 3 wrong results/;
    assert.match((await client.getActor("quarantine", "only-a")).info.pendingReason ?? "", reason);

    const head = await suite.restartHead();
    await waitFor("q-a to register with the new head", () =>
      /node q-a registered/.test(head.output()) ? true : undefined,
    );
    const after = (await client.listNodes()).find((n) => n.nodeId === "q-a");
    assert.deepEqual(after?.quarantine, listed?.quarantine);
    const waiting = (await client.getActor("quarantine", "only-a")).info;
    assert.equal(waiting.state, "PENDING_CREATION");
    assert.match(waiting.pendingReason ?? "", reason);

    assert.equal(await client.setNodeQuarantine("q-a", ""), undefined);
    const placed = await waitFor("the waiting actor to start on q-a", async () => {
      const info = (await client.getActor("quarantine", "only-a")).info;
      return info.state === "ALIVE" ? info : undefined;
    });
    cluster.trackActor(placed.pid);
    assert.equal(placed.nodeId, "q-a");
    assert.equal((await client.listNodes()).find((n) => n.nodeId === "q-a")?.quarantine, undefined);
  });
});
