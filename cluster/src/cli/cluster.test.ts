/**
 * The cluster as real processes on loopback: a head and workers started from the compiled
 * entries, driven through the public ClusterClient. Every process this file starts is stopped
 * by its PID in `after`, actor processes included.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ActorSpec, ResourceRequest } from "@neurogrid/schema";
import { type ActorHandle, ClusterClient } from "../index.js";
import {
  isAlive,
  killQuietly,
  type RunningProcess,
  spawnEntry,
  startEntry,
  waitFor,
} from "./testing/processes.js";

const TOKEN = "test-node-token";
const HEARTBEAT_TIMEOUT_MS = 1_500;
const TWO_FAKE_GPUS = JSON.stringify([
  { name: "Fake GPU", memoryMb: 16_384 },
  { name: "Fake GPU", memoryMb: 16_384 },
]);

interface EchoReply {
  args: unknown;
  pid: number;
  actorId: string;
  gpuIds: number[];
  cudaVisibleDevices: string;
}

function echoSpec(name: string, resources: Partial<ResourceRequest> = {}, initArgs: unknown = {}): ActorSpec {
  return {
    name,
    namespace: "cluster-test",
    className: "echo",
    initArgs,
    resources: { cpus: 0.5, memoryMb: 64, gpus: 0, custom: {}, ...resources },
  };
}

describe("a cluster of real processes", { timeout: 60_000 }, () => {
  const processes: RunningProcess[] = [];
  const actorPids = new Set<number>();
  let headAddress = "";
  let gpuWorker: RunningProcess;
  let client: ClusterClient;

  async function startWorker(nodeId: string, extra: string[] = []): Promise<RunningProcess> {
    const args = [
      "--head",
      headAddress,
      "--node-id",
      nodeId,
      "--node-token",
      TOKEN,
      "--kill-grace-ms",
      "2000",
    ];
    const { proc } = await startEntry({
      name: nodeId,
      entry: "worker-main",
      args: [...args, ...extra],
      ready: /^neurogrid worker \S+ registered with head at /,
    });
    processes.push(proc);
    return proc;
  }

  async function create(spec: ActorSpec): Promise<ActorHandle> {
    const handle = await client.getOrCreateActor(spec);
    actorPids.add(handle.info.pid);
    return handle;
  }

  before(async () => {
    const head = await startEntry({
      name: "head",
      entry: "head-main",
      args: ["--port", "0", "--node-token", TOKEN, "--heartbeat-timeout-ms", String(HEARTBEAT_TIMEOUT_MS)],
      ready: /^neurogrid head listening on (\S+)$/,
    });
    processes.push(head.proc);
    headAddress = head.match[1] ?? "";
    [gpuWorker] = await Promise.all([
      startWorker("gpu-node", ["--cpus", "4", "--memory-mb", "4096", "--fake-gpus", TWO_FAKE_GPUS]),
      startWorker("cpu-node", ["--cpus", "2", "--memory-mb", "2048", "--label", "kind=cpu"]),
    ]);
    client = new ClusterClient({ headAddress, callTimeoutMs: 20_000 });
  });

  after(async () => {
    client?.close();
    await Promise.all(processes.reverse().map((proc) => proc.stop()));
    for (const pid of actorPids) if (pid > 0 && isAlive(pid)) killQuietly(pid, "SIGKILL");
  });

  it("lists the registered nodes with their resources", async () => {
    const nodes = await client.listNodes();
    const byId = new Map(nodes.map((node) => [node.nodeId, node]));
    assert.equal(byId.get("gpu-node")?.state, "ALIVE");
    assert.deepEqual(
      byId.get("gpu-node")?.total.gpus.map((gpu) => gpu.index),
      [0, 1],
    );
    assert.equal(byId.get("cpu-node")?.total.cpus, 2);
    assert.deepEqual(byId.get("cpu-node")?.labels, { kind: "cpu" });
  });

  it("places a GPU actor on the GPU worker, in its own process, with CUDA_VISIBLE_DEVICES set", async () => {
    const handle = await create(echoSpec("gpu-echo", { gpus: 1 }));
    assert.equal(handle.info.state, "ALIVE");
    assert.equal(handle.info.nodeId, "gpu-node");
    assert.equal(handle.info.gpuIds.length, 1);
    const reply = await handle.call<EchoReply>("echo", { hello: "world" });
    assert.deepEqual(reply.args, { hello: "world" });
    assert.equal(reply.actorId, handle.info.actorId);
    assert.equal(reply.cudaVisibleDevices, String(handle.info.gpuIds[0]));
    assert.equal(reply.pid, handle.info.pid);
    assert.notEqual(reply.pid, gpuWorker.pid);
  });

  it("returns the same actor by name, and creates exactly one for concurrent callers", async () => {
    const first = await create(echoSpec("gpu-echo", { gpus: 1 }));
    const again = await create(echoSpec("gpu-echo", { gpus: 1 }));
    assert.equal(again.info.actorId, first.info.actorId);
    assert.equal((await client.getActor("cluster-test", "gpu-echo")).info.actorId, first.info.actorId);

    const handles = await Promise.all(Array.from({ length: 5 }, () => create(echoSpec("shared"))));
    assert.equal(new Set(handles.map((h) => h.info.actorId)).size, 1);
    assert.equal(handles[0]?.info.nodeId, "cpu-node", "a CPU actor goes to the node without GPUs");
  });

  it("keeps an actor no node can host pending with its reason, and places it when a node that fits joins", async () => {
    await assert.rejects(client.getOrCreateActor(echoSpec("too-big", { gpus: 4 }), { timeoutMs: 500 }), {
      code: "DEADLINE_EXCEEDED",
    });
    const pending = await client.getActor("cluster-test", "too-big");
    assert.equal(pending.info.state, "PENDING_CREATION");
    assert.match(pending.info.pendingReason ?? "", /no node could ever host it/);
    const listed = (await client.listActors("cluster-test")).find((a) => a.name === "too-big");
    assert.equal(listed?.pendingReason, pending.info.pendingReason);

    const waiting = create(echoSpec("too-big", { gpus: 4 }));
    const fourGpus = JSON.stringify(Array.from({ length: 4 }, () => ({ name: "Fake GPU", memoryMb: 8_192 })));
    await startWorker("big-node", ["--cpus", "2", "--memory-mb", "2048", "--fake-gpus", fourGpus]);
    const placed = await waiting;
    assert.equal(placed.info.state, "ALIVE");
    assert.equal(placed.info.nodeId, "big-node");
    assert.equal((await placed.call<EchoReply>("echo", 1)).args, 1);
  });

  it("answers NOT_FOUND for an unknown actor", async () => {
    await assert.rejects(client.getActor("cluster-test", "nobody"), { code: "NOT_FOUND" });
  });

  it("returns the actor's errors with their codes", async () => {
    const handle = await create(echoSpec("shared"));
    await assert.rejects(handle.call("noSuchMethod", {}), { code: "UNIMPLEMENTED" });
    await assert.rejects(handle.call("badInput", {}), { code: "INVALID_ARGUMENT" });
    await assert.rejects(handle.call("fail", {}), { code: "INTERNAL", message: /on purpose/ });
  });

  it("serves 200 concurrent calls on one handle", async () => {
    const handle = await create(echoSpec("shared"));
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => handle.call<EchoReply>("echo", i)),
    );
    assert.deepEqual(
      replies.map((r) => r.args),
      Array.from({ length: 200 }, (_, i) => i),
    );
  });

  it("cancels a call through its AbortSignal, and the actor sees the abort", async () => {
    const handle = await create(echoSpec("sleeper"));
    const controller = new AbortController();
    const sleeping = handle.call("sleep", { ms: 30_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(sleeping, { code: "CANCELLED" });
    await waitFor("the actor to see the abort", async () => {
      const stats = await handle.call<{ abortedSleeps: number }>("stats", {});
      return stats.abortedSleeps === 1 ? true : undefined;
    });
    await assert.rejects(handle.call("sleep", { ms: 30_000 }, { timeoutMs: 200 }), {
      code: "DEADLINE_EXCEEDED",
    });
  });

  it("reports a constructor failure, marks that actor DEAD, and creates a new one next time", async () => {
    await assert.rejects(client.getOrCreateActor(echoSpec("phoenix", {}, { failInit: "no luck" })), {
      code: "INVALID_ARGUMENT",
      message: /no luck/,
    });
    const dead = await client.getActor("cluster-test", "phoenix");
    assert.equal(dead.info.state, "DEAD");
    assert.match(dead.info.deathCause, /no luck/);
    const alive = await create(echoSpec("phoenix"));
    assert.equal(alive.info.state, "ALIVE");
    assert.notEqual(alive.info.actorId, dead.info.actorId);
  });

  it("refuses a worker with a bad node token", async () => {
    const intruder = spawnEntry("intruder", "worker-main", ["--head", headAddress, "--node-token", "wrong"]);
    processes.push(intruder);
    const { code } = await intruder.exited;
    assert.equal(code, 1);
    assert.match(intruder.output(), /bad node token/);
    assert.ok(!(await client.listNodes()).some((node) => node.nodeId.startsWith("intruder")));
  });

  it("marks a killed worker DEAD after the heartbeat timeout, with its actors", async () => {
    const doomed = await startWorker("doomed-node", ["--cpus", "1", "--resource", "doomed=1"]);
    const handle = await create(echoSpec("doomed-echo", { cpus: 0, custom: { doomed: 1 } }));
    assert.equal(handle.info.nodeId, "doomed-node");
    const killedAt = Date.now();
    killQuietly(doomed.pid, "SIGKILL");
    await doomed.exited;

    const node = await waitFor("the head to mark the node DEAD", async () => {
      const found = (await client.listNodes()).find((n) => n.nodeId === "doomed-node");
      return found?.state === "DEAD" ? found : undefined;
    });
    // DEAD counts from the last heartbeat, which came up to one interval (timeout / 3) before the kill.
    assert.ok(Date.now() - killedAt >= HEARTBEAT_TIMEOUT_MS / 2, "not long before the heartbeat timeout");
    const actor = await client.getActor("cluster-test", "doomed-echo");
    assert.equal(actor.info.state, "DEAD");
    assert.equal(actor.info.deathCause, "node doomed-node died");
    assert.equal(node.available.custom.doomed, undefined, "a dead node offers nothing");

    // The orphaned actor process exits by itself (its worker is gone); calling it is UNAVAILABLE.
    await waitFor("the orphaned actor process to exit", () => (isAlive(handle.info.pid) ? undefined : true));
    await assert.rejects(handle.call("echo", {}), { code: "UNAVAILABLE" });
  });

  it("a worker stopped with SIGTERM stops its actor processes and exits", async () => {
    const leaving = await startWorker("leaving-node", ["--cpus", "1", "--resource", "leaving=1"]);
    const handle = await create(echoSpec("leaving-echo", { cpus: 0, custom: { leaving: 1 } }));
    assert.equal(handle.info.nodeId, "leaving-node");
    await leaving.stop();
    assert.deepEqual(await leaving.exited, { code: 0, signal: null });
    assert.equal(isAlive(handle.info.pid), false);
  });
});
