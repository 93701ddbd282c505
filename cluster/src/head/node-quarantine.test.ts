/**
 * Node quarantine in the head's managers (in memory, a fake worker client): a quarantined node
 * takes no new actors and says so in their pending reason, its actors move to other nodes
 * (their processes killed there, no restart counted), a restore lets it take actors again, and
 * the quarantine outlives the node's re-registration and a head restart on the same storage.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ActorSpec, NodeResources } from "@neurogrid/schema";
import { recover } from "./recovery.js";
import { MemoryStorage } from "./storage.js";
import { testHead, tick } from "./test-head.js";

const NODE: NodeResources = { cpus: 4, memoryMb: 4096, gpus: [], custom: {} };

function spec(name: string, extra: Partial<ActorSpec> = {}): ActorSpec {
  return {
    name,
    namespace: "q",
    className: "echo",
    initArgs: {},
    resources: { cpus: 1, memoryMb: 0, gpus: 0, custom: {} },
    ...extra,
  };
}

const onN1: Partial<ActorSpec> = { schedulingStrategy: { kind: "NODE_AFFINITY", nodeId: "n1", soft: false } };
const preferN1: Partial<ActorSpec> = {
  schedulingStrategy: { kind: "NODE_AFFINITY", nodeId: "n1", soft: true },
};

describe("node quarantine", () => {
  it("moves a node's actors elsewhere, places nothing new on it, and takes actors again once restored", async () => {
    const h = testHead();
    h.join("n1", NODE);
    const a = await h.actors.getOrCreate(spec("a", onN1));
    const b = await h.actors.getOrCreate(spec("b", preferN1));
    assert.equal(a.nodeId, "n1");
    assert.equal(b.nodeId, "n1");
    h.join("n2", NODE);

    const q = h.quarantine.set("n1", "3 wrong results");
    assert.equal(q?.reason, "3 wrong results");
    await tick();

    // b (soft affinity) moved to n2; a (hard affinity to n1) waits, and says why.
    const moved = h.actors.get("q", "b");
    assert.equal(moved.state, "ALIVE");
    assert.equal(moved.nodeId, "n2");
    assert.equal(moved.numRestarts ?? 0, 0, "a move is not a failure: maxRestarts 0 did not bury it");
    const waiting = h.actors.get("q", "a");
    assert.equal(waiting.state, "RESTARTING");
    assert.match(waiting.pendingReason ?? "", /node n1 \(node affinity\): quarantined: 3 wrong results/);
    assert.deepEqual(
      h.workers.killed.map((k) => [k.workerAddress, k.actorId]).sort(),
      [
        ["addr-n1", a.actorId],
        ["addr-n1", b.actorId],
      ].sort(),
      "both processes on n1 were killed",
    );

    // New work: not on n1.
    const c = await h.actors.getOrCreate(spec("c"));
    assert.equal(c.nodeId, "n2");

    // Restored: the waiting actor is placed on n1 again.
    assert.equal(h.quarantine.set("n1", ""), undefined);
    await tick();
    await tick();
    const back = h.actors.get("q", "a");
    assert.equal(back.state, "ALIVE");
    assert.equal(back.nodeId, "n1");
  });

  it("an actor no other node can host stays pending with the quarantine as its reason", async () => {
    const h = testHead();
    h.join("n1", NODE);
    h.quarantine.set("n1", "lied");
    const pending = h.actors.getOrCreate(spec("only"));
    await tick();
    const info = h.actors.get("q", "only");
    assert.equal(info.state, "PENDING_CREATION");
    assert.equal(info.pendingReason, "no node has room now: n1: quarantined: lied");
    h.quarantine.set("n1", "");
    assert.equal((await pending).nodeId, "n1");
  });

  it("holds when the node dies and registers again", async () => {
    const h = testHead();
    h.join("n1", NODE);
    h.join("n2", NODE);
    h.quarantine.set("n1", "lied");
    h.killNode("n1");
    assert.equal(h.nodes.get("n1")?.state, "DEAD");
    h.join("n1", NODE);
    void h.actors.getOrCreate(spec("c", onN1));
    await tick();
    assert.equal(h.actors.get("q", "c").state, "PENDING_CREATION");
    assert.match(h.actors.get("q", "c").pendingReason ?? "", /quarantined: lied/);
  });

  it("survives a head restart: the new head still places nothing on the node", async () => {
    const storage = new MemoryStorage();
    const clock = { now: 1 };
    const before = testHead({ storage, clock });
    before.join("n1", NODE);
    before.quarantine.set("n1", "lied");
    clock.now = 2;

    const after = testHead({ storage, clock });
    await recover(storage, after);
    assert.deepEqual(after.quarantine.get("n1"), { reason: "lied", sinceMs: 1 });
    after.join("n1", NODE);
    void after.actors.getOrCreate(spec("x"));
    await tick();
    assert.equal(after.actors.get("q", "x").state, "PENDING_CREATION");
    assert.match(after.actors.get("q", "x").pendingReason ?? "", /n1: quarantined: lied/);
  });
});
