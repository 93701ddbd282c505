/**
 * Fencing, with real processes on loopback: a worker and its actor process stopped (SIGSTOP)
 * past the head's death timeout, then resumed, must not deliver the answer the actor computed
 * meanwhile — the head has declared the node DEAD, so that incarnation is stale. Without the fence
 * the paused actor answered the instant it woke, before its worker could re-register.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActorSpec } from "@neurogrid/schema";
import { ClusterClient, isClusterError } from "../index.js";
import { isAlive, killQuietly, waitFor } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const NAMESPACE = "fence-test";
const HEARTBEAT_TIMEOUT_MS = 1_500;

describe("an actor fenced after its node was declared dead", { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let client: ClusterClient;
  const stopped: number[] = [];

  before(async () => {
    cluster = await startTestCluster({
      headArgs: ["--heartbeat-timeout-ms", String(HEARTBEAT_TIMEOUT_MS), "--heartbeat-interval-ms", "250"],
      workers: { f1: ["--cpus", "2", "--memory-mb", "1024", "--actor-pool-size", "0"] },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 30_000 });
  });

  after(async () => {
    for (const pid of stopped) if (isAlive(pid)) killQuietly(pid, "SIGCONT");
    client?.close();
    await cluster?.stop();
  });

  it("withholds the answer it computed while paused: the caller gets UNAVAILABLE (fenced), not a result", async () => {
    const resources = { cpus: 1, memoryMb: 64, gpus: 0, custom: {} };
    const spec: ActorSpec = {
      name: "paused",
      namespace: NAMESPACE,
      className: "echo",
      initArgs: {},
      resources,
      maxRestarts: 0,
    };
    const handle = await client.getOrCreateActor(spec, { timeoutMs: 60_000 });
    cluster.trackActor(handle.info.pid);
    assert.deepEqual(await handle.call("sleep", { ms: 1 }), { sleptMs: 1 }, "it answers while leased");
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
    const worker = cluster.workers.get("f1");
    assert.ok(worker);
    for (const pid of [worker.pid, handle.info.pid]) {
      killQuietly(pid, "SIGSTOP");
      stopped.push(pid);
    }
    await waitFor(
      "the head to declare the node DEAD",
      async () =>
        (await client.listNodes()).find((n) => n.nodeId === "f1")?.state === "DEAD" ? true : undefined,
      30_000,
    );
    for (const pid of stopped) killQuietly(pid, "SIGCONT");
    const ended = await outcome;
    assert.equal(ended.value, undefined, `a stale incarnation answered: ${JSON.stringify(ended.value)}`);
    assert.equal(ended.code, "UNAVAILABLE");
    assert.match(ended.message, /fenced|actor|unavailable/i);
  });
});
