/**
 * The head issues every actor incarnation a fencing epoch: the worker is told it with the start,
 * callers get it in ActorInfo, and a later incarnation always has a larger one — after a restart
 * on another node, and after the head itself restarted from its stored tables.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ActorSpec, NodeResources } from "@neurogrid/schema";
import { recover } from "./recovery.js";
import { MemoryStorage } from "./storage.js";
import { testHead, tick } from "./test-head.js";

const NODE: NodeResources = { cpus: 2, memoryMb: 1024, gpus: [], custom: {} };

const spec: ActorSpec = {
  name: "fenced",
  namespace: "epochs",
  className: "echo",
  initArgs: {},
  resources: { cpus: 2, memoryMb: 0, gpus: 0, custom: {} },
  maxRestarts: -1,
};

function head(storage: MemoryStorage, clock: { now: number }) {
  const h = testHead({ storage, clock });
  return { ...h, join: (nodeId: string) => h.join(nodeId, NODE) };
}

describe("actor epochs", () => {
  it("starts the first incarnation as epoch 1 and tells its worker the same epoch", async () => {
    const h = head(new MemoryStorage(), { now: 1 });
    h.join("n1");
    const info = await h.actors.getOrCreate(spec);
    assert.equal(info.epoch, 1);
    assert.deepEqual(
      h.workers.started.map((s) => s.args.epoch),
      [1],
    );
  });

  it("gives each restart a larger epoch, and a head restarted from storage never issues one again", async () => {
    const storage = new MemoryStorage();
    const clock = { now: 1 };
    const before = head(storage, clock);
    before.join("n1");
    before.join("n2");
    const first = await before.actors.getOrCreate(spec);
    before.killNode(first.nodeId);
    await tick();
    const second = before.actors.get("epochs", "fenced");
    assert.equal(second.state, "ALIVE");
    assert.notEqual(second.nodeId, first.nodeId);
    assert.equal(second.epoch, 2, "the restart elsewhere is the next incarnation");

    // A new head loads the tables: the live incarnation keeps its epoch ...
    const after = head(storage, clock);
    await recover(storage, after);
    after.join(second.nodeId);
    assert.equal(after.actors.get("epochs", "fenced").epoch, 2);
    // ... and the next restart continues from the stored epoch, not from 1.
    after.join("n3");
    after.killNode(second.nodeId);
    await tick();
    const third = after.actors.get("epochs", "fenced");
    assert.equal(third.state, "ALIVE");
    assert.equal(third.epoch, 3);
    assert.deepEqual(
      after.workers.started.map((s) => s.args.epoch),
      [3],
    );
  });
});
