import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResourceRequest } from "@neurogrid/schema";
import { type PlaceOptions, Scheduler } from "./scheduler.js";
import { req, shape } from "./test-fixtures.js";

let nextId = 0;
function placeOn(s: Scheduler, request: ResourceRequest, options: PlaceOptions = {}): string {
  const outcome = s.place(`a${++nextId}`, request, options);
  if ("reason" in outcome) throw new Error(outcome.reason);
  return outcome.placed.nodeId;
}

function cluster(n: number, cpus = 4): Scheduler {
  const s = new Scheduler();
  for (let i = 0; i < n; i++) s.addNode(`n${i}`, shape(cpus, 4096));
  return s;
}

describe("DEFAULT (hybrid) policy", () => {
  it("packs one node up to the threshold, then the next, then spreads over the least busy", () => {
    const s = cluster(3);
    const cpu1 = req({ cpus: 1 });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map(() => placeOn(s, cpu1)),
      ["n0", "n0", "n1", "n1", "n2", "n2"],
      "each node is packed to 50%",
    );
    // All at 50%: now the least busy node that fits, round the cluster.
    assert.deepEqual([1, 2, 3].map(() => placeOn(s, cpu1)).sort(), ["n0", "n1", "n2"]);
  });

  it("keeps GPU nodes for GPU requests while a node without GPUs fits", () => {
    const s = new Scheduler();
    s.addNode("gpu", shape(64, 65_536, 2));
    s.addNode("cpu", shape(4, 4096));
    assert.equal(placeOn(s, req({ cpus: 1 })), "cpu");
    assert.equal(placeOn(s, req({ cpus: 1, gpus: 1 })), "gpu");
    assert.equal(placeOn(s, req({ cpus: 3 })), "cpu");
    assert.equal(placeOn(s, req({ cpus: 1 })), "gpu", "the CPU node is full");
  });

  it("says why nothing fits, and whether it ever could", () => {
    const s = cluster(2, 2);
    const never = s.place("x", req({ cpus: 3 }));
    assert.ok("reason" in never && never.never);
    assert.match(never.reason, /no node could ever host it/);
    placeOn(s, req({ cpus: 2 }));
    placeOn(s, req({ cpus: 2 }));
    const busy = s.place("y", req({ cpus: 1 }));
    assert.ok("reason" in busy && !busy.never);
    assert.match(busy.reason, /no node has room now: n\d: cpus 0 free < 1/);
    assert.deepEqual(new Scheduler().place("z", req({})), { reason: "no live nodes", never: true });
  });

  it("checks custom resources", () => {
    const s = new Scheduler();
    s.addNode("plain", shape(8, 8192));
    s.addNode("special", shape(8, 8192, 0, 0, { tpu: 2 }));
    assert.equal(placeOn(s, req({ custom: { tpu: 1.5 } })), "special");
    const out = s.place("t", req({ custom: { tpu: 1 } }));
    assert.ok("reason" in out && /tpu 0.5 free < 1/.test(out.reason));
  });
});

describe("SPREAD policy", () => {
  it("puts N actors on N equal nodes one each, then goes round again", () => {
    const s = cluster(4);
    const spread: PlaceOptions = { strategy: { kind: "SPREAD" } };
    const first = [1, 2, 3, 4].map(() => placeOn(s, req({ cpus: 0.1 }), spread));
    assert.deepEqual([...first].sort(), ["n0", "n1", "n2", "n3"]);
    const second = [1, 2, 3, 4].map(() => placeOn(s, req({ cpus: 0.1 }), spread));
    assert.deepEqual([...second].sort(), ["n0", "n1", "n2", "n3"]);
  });

  it("prefers the least busy node", () => {
    const s = cluster(2);
    placeOn(s, req({ cpus: 2 }), { strategy: { kind: "NODE_AFFINITY", nodeId: "n0", soft: false } });
    assert.equal(placeOn(s, req({ cpus: 1 }), { strategy: { kind: "SPREAD" } }), "n1");
  });
});

describe("NODE_AFFINITY policy", () => {
  it("hard: only that node; waits when it is full, never when it is unknown", () => {
    const s = cluster(3);
    const on = (nodeId: string, soft = false): PlaceOptions => ({
      strategy: { kind: "NODE_AFFINITY", nodeId, soft },
    });
    assert.equal(placeOn(s, req({ cpus: 4 }), on("n2")), "n2");
    const full = s.place("f", req({ cpus: 1 }), on("n2"));
    assert.ok("reason" in full && !full.never && /n2 \(node affinity\): cpus 0 free < 1/.test(full.reason));
    const gone = s.place("g", req({ cpus: 1 }), on("nope"));
    assert.ok("reason" in gone && gone.never);
  });

  it("soft: that node when it fits, else the default policy", () => {
    const s = cluster(2);
    const soft = (nodeId: string): PlaceOptions => ({
      strategy: { kind: "NODE_AFFINITY", nodeId, soft: true },
    });
    assert.equal(placeOn(s, req({ cpus: 3 }), soft("n1")), "n1");
    assert.equal(placeOn(s, req({ cpus: 3 }), soft("n1")), "n0");
    assert.ok(["n0", "n1"].includes(placeOn(s, req({ cpus: 0.5 }), soft("gone"))), "a dead node: any other");
  });
});

describe("label selectors", () => {
  it("place only on nodes whose labels match, in the policy's order", () => {
    const s = new Scheduler();
    s.addNode("a", shape(4, 4096), { zone: "eu", disk: "ssd" });
    s.addNode("b", shape(4, 4096), { zone: "us", disk: "ssd" });
    s.addNode("c", shape(4, 4096), { zone: "eu", disk: "hdd" });
    assert.equal(placeOn(s, req({ cpus: 1 }), { labelSelector: { zone: "us" } }), "b");
    assert.equal(placeOn(s, req({ cpus: 1 }), { labelSelector: { zone: "eu", disk: "!ssd" } }), "c");
    assert.equal(placeOn(s, req({ cpus: 1 }), { labelSelector: { disk: "in(hdd,nvme)" } }), "c", "packs c");
    const spread: PlaceOptions = { strategy: { kind: "SPREAD" }, labelSelector: { disk: "ssd" } };
    assert.equal(placeOn(s, req({ cpus: 1 }), spread), "a", "a is idle, b has one");
    const none = s.place("n", req({ cpus: 1 }), { labelSelector: { zone: "mars" } });
    assert.ok("reason" in none && none.never && /label selector/.test(none.reason));
    const aff = s.place("m", req({ cpus: 1 }), {
      strategy: { kind: "NODE_AFFINITY", nodeId: "a", soft: false },
      labelSelector: { zone: "us" },
    });
    assert.ok("reason" in aff && /does not match/.test(aff.reason));
  });
});
