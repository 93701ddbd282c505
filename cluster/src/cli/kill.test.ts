/**
 * Killing an actor through the head, with real processes on loopback: by default its process
 * is killed at once (a running call ends UNAVAILABLE); a graceful shutdown lets the running call
 * finish. Every process this file starts is stopped by its PID in `after`, actor processes
 * included.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActorSpec } from "@neurogrid/schema";
import { type ActorHandle, ClusterClient, isClusterError } from "../index.js";
import { isAlive, waitFor } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const NAMESPACE = "kill-test";

function echo(name: string): ActorSpec {
  const resources = { cpus: 1, memoryMb: 64, gpus: 0, custom: {} };
  return { name, namespace: NAMESPACE, className: "echo", initArgs: {}, resources, maxRestarts: 3 };
}

/** A call's outcome: its value, or its error code. */
async function settle<T>(promise: Promise<T>): Promise<{ value?: T; code?: string }> {
  try {
    return { value: await promise };
  } catch (err) {
    return { code: isClusterError(err) ? err.code : String(err) };
  }
}

describe("KillActor, with real processes", { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let client: ClusterClient;

  before(async () => {
    cluster = await startTestCluster({
      workers: { k1: ["--cpus", "4", "--memory-mb", "2048", "--actor-pool-size", "0"] },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 60_000 });
  });

  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  /** An actor with one call sleeping `ms` in it. */
  async function sleeping(name: string, ms: number) {
    const handle: ActorHandle = await client.getOrCreateActor(echo(name), { timeoutMs: 60_000 });
    cluster.trackActor(handle.info.pid);
    const running = settle(handle.call("sleep", { ms }));
    await waitFor("the call to run", async () =>
      (await handle.call<{ running: number }>("stats", {})).running === 1 ? true : undefined,
    );
    return { handle, running };
  }

  it("kills the process at once by default, with no restart: the running call ends UNAVAILABLE", async () => {
    const { handle, running } = await sleeping("forced", 60_000);
    const killed = await client.killActor(NAMESPACE, "forced");
    assert.equal(killed.state, "DEAD");
    assert.equal(killed.deathCause, "killed");
    assert.equal((await running).code, "UNAVAILABLE");
    await waitFor("the process to exit", () => (isAlive(handle.info.pid) ? undefined : true), 20_000);
    assert.equal((await client.getActor(NAMESPACE, "forced")).info.state, "DEAD");
  });

  it("shuts down gracefully on request: the running call finishes, then the process exits", async () => {
    const { handle, running } = await sleeping("drained", 1_500);
    const killed = await client.killActor(NAMESPACE, "drained", { graceful: true, graceMs: 30_000 });
    assert.equal(killed.state, "DEAD");
    assert.deepEqual(await running, { value: { sleptMs: 1_500 } });
    await waitFor("the process to exit", () => (isAlive(handle.info.pid) ? undefined : true), 30_000);
  });
});
