/**
 * A head with Redis storage killed with SIGKILL and started again on the same port and Redis:
 * the worker registers again, the actor created before still answers (its process never
 * stopped), new actors can be created, and nothing is booked twice. Real processes on
 * loopback; every process this file starts is stopped by its PID, and the Redis keys it wrote
 * are deleted.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActorSpec } from "@neurogrid/schema";
import { ClusterClient } from "../index.js";
import { redisHeadStorage, restartHead } from "./testing/head-restart.js";
import { type RunningProcess, waitFor } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const STORAGE = redisHeadStorage("head-restart");
const HEARTBEAT_TIMEOUT_MS = 2_000;
const HEAD_ARGS = [
  ...STORAGE.args,
  ...["--heartbeat-timeout-ms", String(HEARTBEAT_TIMEOUT_MS), "--heartbeat-interval-ms", "250"],
];

function echo(name: string): ActorSpec {
  const resources = { cpus: 1, memoryMb: 64, gpus: 0, custom: {} };
  return { name, namespace: "restart", className: "echo", initArgs: {}, resources };
}

describe("a head restarted on its Redis tables", { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let restarted: RunningProcess | undefined;
  let client: ClusterClient;

  before(async () => {
    cluster = await startTestCluster({
      headArgs: HEAD_ARGS,
      workers: { w1: ["--cpus", "2", "--memory-mb", "1024"] },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 30_000 });
  });

  after(async () => {
    client?.close();
    await restarted?.stop();
    await cluster?.stop();
    await STORAGE.dropKeys();
  });

  it("keeps its actors answering, books nothing twice, and creates new ones", async () => {
    const first = await client.getOrCreateActor(echo("survivor"), { timeoutMs: 60_000 });
    cluster.trackActor(first.info.pid);
    assert.equal((await first.call<{ args: unknown }>("echo", "before")).args, "before");

    restarted = await restartHead(cluster, HEAD_ARGS);
    const head = restarted;
    await waitFor("the head to log its recovery", () =>
      /recovered 1 nodes, 1 actors/.test(head.output()) ? true : undefined,
    );

    const again = await client.getActor("restart", "survivor");
    assert.equal(again.info.state, "ALIVE");
    assert.equal(again.info.actorId, first.info.actorId);
    assert.equal(again.info.address, first.info.address);
    assert.equal((await again.call<{ args: unknown }>("echo", "after")).args, "after");

    // Past the heartbeat timeout the node is still ALIVE: the worker registered again.
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_TIMEOUT_MS + 1_000));
    const node = (await client.listNodes()).find((n) => n.nodeId === "w1");
    assert.equal(node?.state, "ALIVE");
    assert.equal(node?.available.cpus, 1, "the survivor's CPU is still booked, once");

    const second = await client.getOrCreateActor(echo("newcomer"), { timeoutMs: 60_000 });
    cluster.trackActor(second.info.pid);
    assert.equal(second.info.state, "ALIVE");
    assert.equal((await second.call<{ args: unknown }>("echo", 1)).args, 1);
    await assert.rejects(client.getOrCreateActor(echo("one-too-many"), { timeoutMs: 1_000 }), {
      code: "DEADLINE_EXCEEDED",
    });
    const waiting = await client.getActor("restart", "one-too-many");
    assert.equal(waiting.info.state, "PENDING_CREATION");
    assert.match(waiting.info.pendingReason ?? "", /w1: cpus 0 free < 1/);
  });
});
