import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ActorSpec, NodeResources, ResourceRequest } from "@neurogrid/schema";
import type { ActorEvent } from "./actor-events.js";
import { unavailable } from "./fake-worker-client.js";
import { testHead, tick } from "./test-head.js";

function gpuNode(gpus = 2, vramMb = 1024): NodeResources {
  return {
    cpus: 8,
    memoryMb: 8192,
    gpus: Array.from({ length: gpus }, (_, index) => ({
      index,
      uuid: `g${index}`,
      name: "Test GPU",
      memoryMb: vramMb,
    })),
    custom: {},
  };
}

function setup(options: { owners?: Set<string> } = {}) {
  const h = testHead(options);
  const join = (nodeId: string, total: NodeResources = gpuNode()) => h.join(nodeId, total);
  join("n1");
  const events: ActorEvent[] = [];
  h.actors.onEvent((e) => events.push(e));
  return { ...h, join, events };
}

function spec(
  name: string,
  resources: Partial<ResourceRequest> = { cpus: 1, gpus: 1 },
  extra: Partial<ActorSpec> = {},
): ActorSpec {
  return {
    name,
    namespace: "test",
    className: "echo",
    initArgs: { n: 1 },
    resources: { cpus: 0, memoryMb: 0, gpus: 0, custom: {}, ...resources },
    ...extra,
  };
}

describe("ActorManager", () => {
  it("creates an actor ALIVE with the worker's address and pid, and returns it again by name", async () => {
    const { actors, workers } = setup();
    const info = await actors.getOrCreate(spec("a"));
    assert.equal(info.state, "ALIVE");
    assert.deepEqual(info.gpuIds, [0]);
    assert.equal(workers.started.length, 1);
    assert.equal(workers.started[0]?.workerAddress, "addr-n1");
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

  it("frees the allocation and marks the actor DEAD when the start fails; the next call creates anew", async () => {
    const { actors, workers, nodes } = setup();
    workers.failStartWith = unavailable("worker gone");
    await assert.rejects(actors.getOrCreate(spec("b", { gpus: 2 })), {
      code: "UNAVAILABLE",
      message: "worker gone",
    });
    const dead = actors.get("test", "b");
    assert.equal(dead.state, "DEAD");
    assert.match(dead.deathCause, /creation failed: worker gone/);
    assert.deepEqual(workers.killed, [{ workerAddress: "addr-n1", actorId: dead.actorId }]);
    const n1 = nodes.get("n1");
    assert.ok(n1);
    assert.equal(nodes.available(n1).gpus.length, 2);

    workers.failStartWith = undefined;
    const again = await actors.getOrCreate(spec("b", { gpus: 2 }));
    assert.equal(again.state, "ALIVE");
    assert.notEqual(again.actorId, dead.actorId);
  });

  it("keeps an actor no node fits PENDING_CREATION with its reason, and places it when a node that fits joins", async () => {
    const { actors, workers, join } = setup();
    const waiting = actors.getOrCreate(spec("huge", { gpus: 4 }));
    const pending = actors.get("test", "huge");
    assert.equal(pending.state, "PENDING_CREATION");
    assert.match(pending.pendingReason ?? "", /no node could ever host it/);
    assert.deepEqual(
      actors.list("test").map((a) => a.name),
      ["huge"],
    );
    assert.equal(workers.started.length, 0);
    join("n2", gpuNode(4));
    const info = await waiting;
    assert.equal(info.state, "ALIVE");
    assert.equal(info.nodeId, "n2");
    assert.equal(info.pendingReason, "");
  });

  it("places a waiting actor once another actor's resources are freed", async () => {
    const { actors } = setup();
    await actors.getOrCreate(spec("first", { gpus: 2 }));
    const second = actors.getOrCreate(spec("second", { gpus: 1 }));
    assert.match(
      actors.get("test", "second").pendingReason ?? "",
      /no node has room now: n1: gpus 0 free < 1/,
    );
    actors.kill("test", "first");
    assert.equal((await second).state, "ALIVE");
  });

  it("shares a GPU between fractional actors without overcommitting its VRAM", async () => {
    const { actors } = setup();
    const a = await actors.getOrCreate(spec("a", { gpus: 0.5, vramMb: 600 }));
    const b = await actors.getOrCreate(spec("b", { gpus: 0.25, vramMb: 400 }));
    const c = await actors.getOrCreate(spec("c", { gpus: 0.25, vramMb: 600 }));
    assert.deepEqual([a.gpuIds, b.gpuIds, c.gpuIds], [[0], [0], [1]]);
  });

  it("rejects a bad spec with INVALID_ARGUMENT", async () => {
    const { actors } = setup();
    await assert.rejects(actors.getOrCreate({ ...spec("x"), name: "" }), { code: "INVALID_ARGUMENT" });
    await assert.rejects(actors.getOrCreate(spec("x", { gpus: 1.5 })), { code: "INVALID_ARGUMENT" });
    await assert.rejects(actors.getOrCreate(spec("x", {}, { lifetime: "owned" })), {
      code: "INVALID_ARGUMENT",
    });
  });

  it("marks the actors of a dead node DEAD with the cause when no restarts are left", async () => {
    const { actors, killNode } = setup();
    await actors.getOrCreate(spec("c"));
    killNode("n1");
    const info = actors.get("test", "c");
    assert.equal(info.state, "DEAD");
    assert.equal(info.deathCause, "node n1 died");
  });

  it("restarts an actor of a dead node elsewhere while maxRestarts allows, publishing each transition", async () => {
    const { actors, events, join, killNode } = setup();
    join("n2");
    const first = await actors.getOrCreate(spec("r", { cpus: 5 }, { maxRestarts: 1 }));
    const other = first.nodeId === "n1" ? "n2" : "n1";
    killNode(first.nodeId);
    const restarting = actors.get("test", "r");
    assert.equal(restarting.numRestarts, 1);
    const again = await actors.getOrCreate(spec("r", { cpus: 5 }, { maxRestarts: 1 }));
    assert.equal(again.actorId, first.actorId);
    assert.equal(again.nodeId, other);
    assert.notEqual(again.address, first.address);
    killNode(other);
    assert.equal(actors.get("test", "r").state, "DEAD");
    assert.deepEqual(
      events.map((e) => `${e.from ?? "-"}>${e.actor.state}: ${e.cause}`),
      [
        "->PENDING_CREATION: created",
        `PENDING_CREATION>ALIVE: started on node ${first.nodeId}`,
        `ALIVE>RESTARTING: node ${first.nodeId} died`,
        `RESTARTING>ALIVE: started on node ${other}`,
        `ALIVE>DEAD: node ${other} died`,
      ],
    );
  });

  it("waits in RESTARTING while no node fits, and restarts when one joins", async () => {
    const { actors, join, killNode } = setup();
    await actors.getOrCreate(spec("w", { cpus: 1 }, { maxRestarts: -1 }));
    killNode("n1");
    assert.equal(actors.get("test", "w").state, "RESTARTING");
    assert.match(actors.get("test", "w").pendingReason ?? "", /no live nodes/);
    join("n3");
    await tick();
    await tick();
    assert.equal(actors.get("test", "w").state, "ALIVE");
    assert.equal(actors.get("test", "w").nodeId, "n3");
  });

  it("kills an actor for good: DEAD, no restart, its process killed, resources freed", async () => {
    const { actors, workers, nodes } = setup();
    const info = await actors.getOrCreate(spec("k", { gpus: 2 }, { maxRestarts: -1 }));
    const killed = actors.kill("test", "k");
    assert.equal(killed.state, "DEAD");
    assert.equal(killed.deathCause, "killed");
    assert.deepEqual(workers.killed, [{ workerAddress: "addr-n1", actorId: info.actorId }]);
    assert.equal(nodes.available(nodes.get("n1") ?? assert.fail()).gpus.length, 2);
    assert.throws(() => actors.kill("test", "nobody"), { code: "NOT_FOUND" });
  });

  it("shuts an actor down gracefully: DEAD at once, its resources held until its process exits", async () => {
    const { actors, workers, nodes } = setup();
    const info = await actors.getOrCreate(spec("g", { gpus: 2 }));
    let exited = () => {};
    workers.killGate = new Promise((resolve) => {
      exited = resolve;
    });
    const killed = actors.kill("test", "g", { graceful: true, graceMs: 5_000 });
    assert.equal(killed.state, "DEAD");
    assert.deepEqual(workers.killed, [
      { workerAddress: "addr-n1", actorId: info.actorId, kill: { graceful: true, graceMs: 5_000 } },
    ]);
    const n1 = nodes.get("n1") ?? assert.fail();
    assert.equal(nodes.available(n1).gpus.length, 0, "still held while the process drains");
    exited();
    await tick();
    assert.equal(nodes.available(n1).gpus.length, 2);
  });

  it("kills a pending actor and fails its waiting callers", async () => {
    const { actors } = setup();
    const waiting = actors.getOrCreate(spec("p", { gpus: 8 }));
    actors.kill("test", "p");
    await assert.rejects(waiting, { code: "UNAVAILABLE", message: /killed/ });
  });

  it("kills owned actors when their owner ends, and leaves detached ones", async () => {
    const owners = new Set(["s1"]);
    const { actors } = setup({ owners });
    await actors.getOrCreate(spec("owned", { cpus: 1 }, { owner: "s1" }));
    await actors.getOrCreate(spec("detached", { cpus: 1 }, { lifetime: "detached" }));
    await assert.rejects(actors.getOrCreate(spec("orphan", { cpus: 1 }, { owner: "s2" })), {
      code: "INVALID_ARGUMENT",
    });
    actors.ownerGone("s1");
    assert.equal(actors.get("test", "owned").state, "DEAD");
    assert.equal(actors.get("test", "owned").deathCause, "owner s1 exited");
    assert.equal(actors.get("test", "detached").state, "ALIVE");
  });
});
