import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ActorSpec } from "@neurogrid/schema";
import type { ActorEvent } from "./actor-events.js";
import { testHead, tick } from "./test-head.js";

const NODE = { cpus: 4, memoryMb: 4096, gpus: [], custom: {} };

function spec(name: string, maxRestarts = 0): ActorSpec {
  return {
    name,
    namespace: "test",
    className: "echo",
    initArgs: {},
    resources: { cpus: 1, memoryMb: 0, gpus: 0, custom: {} },
    maxRestarts,
  };
}

function setup() {
  const h = testHead();
  h.join("n1", NODE);
  const events: ActorEvent[] = [];
  h.actors.onEvent((e) => events.push(e));
  return { ...h, events };
}

describe("an actor process that dies while its worker lives", () => {
  it("is restarted while maxRestarts allow, then DEAD with the cause; each transition is published", async () => {
    const { actors, events } = setup();
    const first = await actors.getOrCreate(spec("a", 1));
    assert.equal(
      actors.processExited("n1", first.actorId, first.pid, "actor process exited (SIGKILL)"),
      true,
    );
    await tick();
    const second = actors.get("test", "a");
    assert.equal(second.state, "ALIVE");
    assert.equal(second.numRestarts, 1);
    assert.notEqual(second.pid, first.pid);
    assert.equal(actors.processExited("n1", second.actorId, second.pid, "actor process exited (1)"), true);
    const dead = actors.get("test", "a");
    assert.equal(dead.state, "DEAD");
    assert.equal(dead.deathCause, "actor process exited (1) on node n1");
    assert.deepEqual(
      events.map((e) => `${e.from ?? "-"}>${e.actor.state}: ${e.cause}`),
      [
        "->PENDING_CREATION: created",
        "PENDING_CREATION>ALIVE: started on node n1",
        "ALIVE>RESTARTING: actor process exited (SIGKILL) on node n1",
        "RESTARTING>ALIVE: started on node n1",
        "ALIVE>DEAD: actor process exited (1) on node n1",
      ],
    );
  });

  it("ignores a report from another node, or about an older process of the actor", async () => {
    const { actors, join } = setup();
    join("n2", NODE);
    const info = await actors.getOrCreate(spec("b", 5));
    const other = info.nodeId === "n1" ? "n2" : "n1";
    assert.equal(actors.processExited(other, info.actorId, info.pid, "lies"), false);
    assert.equal(actors.processExited(info.nodeId, info.actorId, info.pid + 1, "stale"), false);
    assert.equal(actors.get("test", "b").state, "ALIVE");
  });
});

describe("reconciling a node that registers with the actor processes it runs", () => {
  it("stops the processes the head does not place there, and restarts the ALIVE actors it lacks", async () => {
    const { actors, workers, join } = setup();
    const kept = await actors.getOrCreate(spec("kept", 1));
    const lost = await actors.getOrCreate(spec("lost", 1));
    const killed = await actors.getOrCreate(spec("killed"));
    actors.kill("test", "killed");
    workers.killed.length = 0;
    join("n1", NODE); // registers again (still ALIVE: keeps its allocations)
    actors.reconcile("n1", [kept.actorId, killed.actorId, "stranger"]);
    assert.deepEqual(
      workers.killed.map((k) => k.actorId),
      [killed.actorId, "stranger"],
    );
    assert.equal(actors.get("test", "kept").pid, kept.pid);
    await tick();
    const back = actors.get("test", "lost");
    assert.equal(back.state, "ALIVE");
    assert.equal(back.numRestarts, 1);
    assert.notEqual(back.pid, lost.pid);
  });
});
