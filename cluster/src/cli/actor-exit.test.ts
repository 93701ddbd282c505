/**
 * An actor process that dies while its worker lives, with real processes on loopback: the
 * worker reports the exit, the head restarts the actor while maxRestarts allow (else DEAD with
 * the cause), and a caller with retries gets its answer from the new process. Every process this
 * file starts is stopped by its PID in `after`, actor processes included.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActorSpec } from "@neurogrid/schema";
import { ClusterClient } from "../index.js";
import { isAlive, killQuietly, waitFor } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const NAMESPACE = "actor-exit-test";

describe("an actor process killed with SIGKILL while its worker lives", { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let client: ClusterClient;

  before(async () => {
    cluster = await startTestCluster({
      // A long heartbeat timeout: the restart comes from the worker's report, not a node death.
      headArgs: ["--heartbeat-timeout-ms", "60000"],
      workers: { solo: ["--cpus", "2", "--memory-mb", "2048", "--actor-pool-size", "1"] },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 60_000 });
  });

  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  it("comes back with a new process, and a caller with retries (from the actor's spec) gets its answer", async () => {
    const spec: ActorSpec = {
      name: "fragile",
      namespace: NAMESPACE,
      className: "echo",
      initArgs: {},
      resources: { cpus: 1, memoryMb: 64, gpus: 0, custom: {} },
      maxRestarts: 1,
      maxTaskRetries: 5,
    };
    cluster.trackActor((await client.getOrCreateActor(spec, { timeoutMs: 60_000 })).info.pid);
    // A handle from getActor retries as the spec says, without the caller passing the option.
    const handle = await client.getActor(NAMESPACE, "fragile");
    const first = handle.info;
    assert.equal(first.maxTaskRetries, 5);
    assert.equal((await handle.call<{ pid: number }>("echo", 1)).pid, first.pid);

    killQuietly(first.pid, "SIGKILL");
    await waitFor("the actor process to exit", () => (isAlive(first.pid) ? undefined : true), 20_000);
    const reply = await handle.call<{ args: unknown; pid: number }>("echo", 2);
    assert.equal(reply.args, 2);
    assert.notEqual(reply.pid, first.pid);
    cluster.trackActor(reply.pid);

    const now = (await client.getActor(NAMESPACE, "fragile")).info;
    assert.equal(now.state, "ALIVE");
    assert.equal(now.actorId, first.actorId);
    assert.equal(now.pid, reply.pid);
    assert.notEqual(now.address, first.address);
    assert.equal(now.numRestarts, 1);
    assert.equal(handle.info.address, now.address);
    const worker = cluster.workers.get("solo");
    assert.ok(worker && isAlive(worker.pid), "the worker lives on");

    // No restarts left: the next death is final, with its cause.
    killQuietly(now.pid, "SIGKILL");
    const dead = await waitFor(
      "the actor to be DEAD",
      async () => {
        const info = (await client.getActor(NAMESPACE, "fragile")).info;
        return info.state === "DEAD" ? info : undefined;
      },
      30_000,
    );
    assert.match(dead.deathCause, /exited unexpectedly \(SIGKILL\) on node solo/);
  });
});
