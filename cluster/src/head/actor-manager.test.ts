import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ActorSpec, NodeResources } from "@neurogrid/schema";
import { ActorManager } from "./actor-manager.js";
import { FakeWorkerClient, unavailable } from "./fake-worker-client.js";
import { NodeManager } from "./node-manager.js";

const GPU_NODE: NodeResources = {
  cpus: 8,
  memoryMb: 8192,
  gpus: [0, 1].map((index) => ({ index, uuid: `g${index}`, name: "Test GPU", memoryMb: 1024 })),
  custom: {},
};

function setup(now: () => number = Date.now) {
  const nodes = new NodeManager({ heartbeatTimeoutMs: 1000, now });
  nodes.register({ nodeId: "n1", address: "127.0.0.1:7001", resources: GPU_NODE, labels: {}, nodeToken: "" });
  const workers = new FakeWorkerClient();
  let id = 0;
  const actors = new ActorManager({
    nodes,
    workers,
    startTimeoutMs: 1000,
    newActorId: () => `actor-${++id}`,
  });
  return { nodes, workers, actors };
}

function spec(name: string, gpus = 1): ActorSpec {
  return {
    name,
    namespace: "test",
    className: "echo",
    initArgs: { n: 1 },
    resources: { cpus: 1, memoryMb: 0, gpus, custom: {} },
  };
}

describe("ActorManager", () => {
  it("creates an actor ALIVE with the worker's address and pid, and returns it again by name", async () => {
    const { actors, workers } = setup();
    const info = await actors.getOrCreate(spec("a"));
    assert.equal(info.state, "ALIVE");
    assert.deepEqual(info.gpuIds, [0]);
    assert.equal(workers.started.length, 1);
    assert.equal(workers.started[0]?.workerAddress, "127.0.0.1:7001");
    assert.deepEqual(workers.started[0]?.args.gpuIds, [0]);
    assert.equal((await actors.getOrCreate(spec("a"))).actorId, info.actorId);
    assert.deepEqual(actors.get("test", "a"), info);
  });

  it("creates exactly one actor for concurrent callers of the same name", async () => {
    const { actors, workers } = setup();
    workers.startDelayMs = 20;
    const infos = await Promise.all(Array.from({ length: 5 }, () => actors.getOrCreate(spec("same"))));
    assert.equal(new Set(infos.map((i) => i.actorId)).size, 1);
    assert.equal(workers.started.length, 1);
  });

  it("frees the reservation and marks the actor DEAD when the start fails; the next call creates anew", async () => {
    const { actors, workers, nodes } = setup();
    workers.failStartWith = unavailable("worker gone");
    await assert.rejects(actors.getOrCreate(spec("b", 2)), { code: "UNAVAILABLE", message: "worker gone" });
    const dead = actors.get("test", "b");
    assert.equal(dead.state, "DEAD");
    assert.match(dead.deathCause, /worker gone/);
    assert.deepEqual(workers.killed, [{ workerAddress: "127.0.0.1:7001", actorId: dead.actorId }]);
    const n1 = nodes.get("n1");
    assert.ok(n1);
    assert.equal(nodes.available(n1).gpus.length, 2);

    workers.failStartWith = undefined;
    const again = await actors.getOrCreate(spec("b", 2));
    assert.equal(again.state, "ALIVE");
    assert.notEqual(again.actorId, dead.actorId);
  });

  it("rejects with RESOURCES_UNAVAILABLE, and records nothing, when no node fits", async () => {
    const { actors, workers } = setup();
    await assert.rejects(actors.getOrCreate(spec("huge", 4)), { code: "RESOURCES_UNAVAILABLE" });
    assert.equal(workers.started.length, 0);
    assert.throws(() => actors.get("test", "huge"), { code: "NOT_FOUND" });
  });

  it("rejects a bad spec with INVALID_ARGUMENT", async () => {
    const { actors } = setup();
    await assert.rejects(actors.getOrCreate({ ...spec("x"), name: "" }), { code: "INVALID_ARGUMENT" });
    await assert.rejects(actors.getOrCreate(spec("x", 0.5)), { code: "INVALID_ARGUMENT" });
  });

  it("marks the actors of a dead node DEAD with cause 'node died'", async () => {
    let now = 0;
    const { actors, nodes } = setup(() => now);
    await actors.getOrCreate(spec("c"));
    now += 5000;
    nodes.checkHeartbeats();
    const info = actors.get("test", "c");
    assert.equal(info.state, "DEAD");
    assert.equal(info.deathCause, "node died");
  });
});
