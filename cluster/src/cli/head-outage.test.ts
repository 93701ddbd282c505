/**
 * A head down for seconds, not a blink: killed with SIGKILL, started again on its Redis tables
 * 3.5 s later. Meanwhile its workers have backed off between registrations (up to 2.4 s apart,
 * worker/backoff.ts), longer than this head's 1 s heartbeat timeout; the restarted head gives
 * the nodes it restored the restore grace on top (config-head.ts), so each worker registers
 * again in time and its actor is adopted: still ALIVE in the same process, not restarted.
 * (Found by the fault run: a head killed while the machine was busy adopted none of its live
 * actors.) Real processes on loopback; each is stopped by its PID, the Redis keys deleted.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActorSpec } from "@neurogrid/schema";
import { ClusterClient } from "../index.js";
import { redisHeadStorage, restartHead } from "./testing/head-restart.js";
import { type RunningProcess, waitFor } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const STORAGE = redisHeadStorage("head-outage");
const HEAD_ARGS = [...STORAGE.args, "--heartbeat-timeout-ms", "1000", "--heartbeat-interval-ms", "250"];
const OUTAGE_MS = 3_500;
const NODES = ["w1", "w2"];

function echo(name: string): ActorSpec {
  const resources = { cpus: 1, memoryMb: 64, gpus: 0, custom: {} };
  return { name, namespace: "outage", className: "echo", initArgs: {}, resources, maxRestarts: -1 };
}

describe("a head restarted after an outage longer than its heartbeat timeout", { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let restarted: RunningProcess | undefined;
  let client: ClusterClient;

  before(async () => {
    const worker = ["--cpus", "1", "--memory-mb", "1024"];
    cluster = await startTestCluster({ headArgs: HEAD_ARGS, workers: { w1: worker, w2: worker } });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 30_000 });
  });

  after(async () => {
    client?.close();
    await restarted?.stop();
    await cluster?.stop();
    await STORAGE.dropKeys();
  });

  it("adopts every live actor once the workers register again", async () => {
    const actors = await Promise.all(
      ["a", "b"].map((name) => client.getOrCreateActor(echo(name), { timeoutMs: 60_000 })),
    );
    for (const actor of actors) cluster.trackActor(actor.info.pid);
    assert.deepEqual(actors.map((a) => a.info.nodeId).sort(), NODES, "one actor per node");

    restarted = await restartHead(cluster, HEAD_ARGS, OUTAGE_MS);
    const head = restarted;
    await waitFor(
      "both workers to register with the restarted head",
      () => (NODES.every((id) => head.output().includes(`node ${id} registered`)) ? true : undefined),
      30_000,
    );

    for (const before of actors) {
      const now = await client.getActor("outage", before.info.name);
      assert.equal(now.info.state, "ALIVE", `${before.info.name}: ${now.info.deathCause}`);
      assert.equal(now.info.pid, before.info.pid, `${before.info.name} is the same process, not a restart`);
      assert.equal(now.info.nodeId, before.info.nodeId);
      assert.equal((await now.call<{ args: unknown }>("echo", "after")).args, "after");
    }
    assert.doesNotMatch(head.output(), /DEAD/, "no node or actor was declared dead");
  });
});
