/**
 * Epoch fencing with real processes on loopback, the lease fence switched off (--no-actor-lease):
 * a worker and its actor process stopped (SIGSTOP) past the head's death timeout, the actor
 * restarted on another node as the next incarnation, then the old pair resumed (SIGCONT). The
 * old incarnation answers the call it was running the moment it wakes — and the caller, which
 * has heard of the new epoch from the head, refuses that answer by its epoch.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActorSpec } from "@neurogrid/schema";
import { ClusterClient, isClusterError } from "../index.js";
import { isAlive, killQuietly, waitFor } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const NAMESPACE = "epoch-fence-test";
const HEARTBEAT_TIMEOUT_MS = 1_500;
const WORKER_ARGS = ["--cpus", "2", "--memory-mb", "1024", "--actor-pool-size", "0", "--no-actor-lease"];

describe("an old incarnation's answer refused by its epoch (no lease fence)", { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let client: ClusterClient;
  const stopped: number[] = [];

  before(async () => {
    cluster = await startTestCluster({
      headArgs: ["--heartbeat-timeout-ms", String(HEARTBEAT_TIMEOUT_MS), "--heartbeat-interval-ms", "250"],
      workers: { e1: WORKER_ARGS, e2: WORKER_ARGS },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 30_000 });
  });

  after(async () => {
    for (const pid of stopped) if (isAlive(pid)) killQuietly(pid, "SIGCONT");
    client?.close();
    await cluster?.stop();
  });

  it("the caller gets UNAVAILABLE (stale epoch), not the answer; the new incarnation serves", async () => {
    const spec: ActorSpec = {
      name: "paused",
      namespace: NAMESPACE,
      className: "echo",
      initArgs: {},
      resources: { cpus: 1, memoryMb: 64, gpus: 0, custom: {} },
      maxRestarts: 1,
    };
    const handle = await client.getOrCreateActor(spec, { timeoutMs: 60_000 });
    cluster.trackActor(handle.info.pid);
    assert.equal(handle.info.epoch, 1);
    assert.deepEqual(await handle.call("sleep", { ms: 1 }), { sleptMs: 1 });
    const outcome = handle.call("sleep", { ms: 300 }).then(
      (value) => ({ value, code: undefined as string | undefined, message: "" }),
      (err: unknown) => ({
        value: undefined,
        code: isClusterError(err) ? err.code : String(err),
        message: err instanceof Error ? err.message : String(err),
      }),
    );
    await waitFor("the call to run", async () =>
      (await handle.call<{ running: number }>("stats", {})).running === 1 ? true : undefined,
    );
    const oldNode = handle.info.nodeId;
    const worker = cluster.workers.get(oldNode);
    assert.ok(worker, `no worker ${oldNode}`);
    for (const pid of [worker.pid, handle.info.pid]) {
      killQuietly(pid, "SIGSTOP");
      stopped.push(pid);
    }
    // The head declares the node DEAD and starts epoch 2 on the other node; this driver asks it.
    const restarted = await waitFor(
      "the actor's next incarnation to be ALIVE on the other node",
      async () => {
        const now = await client.getActor(NAMESPACE, "paused");
        return now.info.state === "ALIVE" && now.info.nodeId !== oldNode ? now : undefined;
      },
      30_000,
    );
    cluster.trackActor(restarted.info.pid);
    assert.equal(restarted.info.epoch, 2);
    for (const pid of stopped) killQuietly(pid, "SIGCONT");
    const ended = await outcome;
    assert.equal(ended.value, undefined, `a stale incarnation answered: ${JSON.stringify(ended.value)}`);
    assert.equal(ended.code, "UNAVAILABLE");
    assert.match(ended.message, /stale epoch/);
    assert.equal((await restarted.call<{ args: unknown }>("echo", "new")).args, "new");
  });
});
