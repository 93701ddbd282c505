/**
 * The data path with real processes on loopback, through the public ClusterClient: a head and
 * two workers, actors in their own processes. A worker's machine dies (the worker and its
 * actor process killed with SIGKILL) while calls run: the head restarts the actor on the other
 * worker and callers with retries left get their answers there. Also: the spec's maxConcurrency
 * reaches the actor process, and streams flow through a handle. Every process this file starts
 * is stopped by its PID in `after`, actor processes included.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActorSpec } from "@neurogrid/schema";
import { type ActorHandle, ClusterClient } from "../index.js";
import { killQuietly, waitFor } from "./testing/processes.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const NAMESPACE = "data-path-test";

function echo(name: string, extra: Partial<ActorSpec> = {}): ActorSpec {
  return {
    name,
    namespace: NAMESPACE,
    className: "echo",
    initArgs: {},
    resources: { cpus: 1, memoryMb: 64, gpus: 0, custom: {} },
    ...extra,
  };
}

describe("the data path, with real processes", { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let client: ClusterClient;

  async function create(spec: ActorSpec): Promise<ActorHandle> {
    const handle = await client.getOrCreateActor(spec, { timeoutMs: 60_000 });
    cluster.trackActor(handle.info.pid);
    return handle;
  }

  before(async () => {
    const worker = ["--cpus", "4", "--memory-mb", "4096"];
    cluster = await startTestCluster({
      headArgs: ["--heartbeat-timeout-ms", "1500", "--heartbeat-interval-ms", "250"],
      workers: { d1: worker, d2: worker },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 60_000 });
  });

  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  it("runs at most the spec's maxConcurrency calls at once, and streams items in order", async () => {
    const handle = await create(echo("bounded", { maxConcurrency: 2 }));
    await Promise.all(Array.from({ length: 8 }, () => handle.call("sleep", { ms: 100 })));
    assert.equal((await handle.call<{ peakRunning: number }>("stats", {})).peakRunning, 2);
    const items: number[] = [];
    for await (const item of handle.stream<number>("count", { n: 100 })) items.push(item);
    assert.deepEqual(
      items,
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it("answers callers with retries left from the actor restarted on another worker after a machine died", async () => {
    const handle = await create(echo("survivor", { maxRestarts: 1, maxTaskRetries: 2 }));
    const noRetries = await client.getActor(NAMESPACE, "survivor", { maxTaskRetries: 0 });
    const { nodeId, pid } = handle.info;
    const calls = Array.from({ length: 5 }, (_, i) =>
      handle.call<{ sleptMs: number }>("sleep", { ms: 1_000 + i }),
    );
    const unretried = noRetries.call("sleep", { ms: 30_000 }).then(
      () => "answered",
      (err: { code?: string }) => err.code,
    );
    await waitFor("the calls to run", async () =>
      (await noRetries.call<{ running: number }>("stats", {})).running >= 6 ? true : undefined,
    );
    const machine = cluster.workers.get(nodeId);
    assert.ok(machine, `a worker named ${nodeId}`);
    killQuietly(machine.pid, "SIGKILL");
    killQuietly(pid, "SIGKILL");

    assert.deepEqual(
      await Promise.all(calls),
      Array.from({ length: 5 }, (_, i) => ({ sleptMs: 1_000 + i })),
    );
    assert.equal(await unretried, "UNAVAILABLE");
    assert.notEqual(handle.info.nodeId, nodeId, "the handle follows the actor to its new node");
    assert.notEqual(handle.info.pid, pid);
    cluster.trackActor(handle.info.pid);
    assert.equal((await handle.call<{ pid: number }>("echo", {})).pid, handle.info.pid);
  });
});
