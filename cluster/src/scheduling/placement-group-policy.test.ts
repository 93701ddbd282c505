import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PlacementStrategy, ResourceRequest } from "@neurogrid/schema";
import { Bundles } from "./bundles.js";
import { toDemand } from "./demand.js";
import { reserveBundles } from "./placement-group-policy.js";
import { Scheduler } from "./scheduler.js";
import { req, shape } from "./test-fixtures.js";

function cluster(n: number, cpus = 4): Scheduler {
  const s = new Scheduler();
  for (let i = 0; i < n; i++) s.addNode(`n${i}`, shape(cpus, 8192, 2));
  return s;
}

let group = 0;
function reserve(s: Scheduler, strategy: PlacementStrategy, bundles: Partial<ResourceRequest>[]) {
  const g = `g${++group}`;
  const ids = bundles.map((_, i) => `${g}#${i}`);
  return reserveBundles(
    s,
    ids,
    bundles.map((b) => toDemand(req(b))),
    strategy,
    undefined,
  );
}

function nodesOf(out: ReturnType<typeof reserve>): string[] {
  assert.ok("placed" in out, "reason" in out ? out.reason : "");
  return out.placed.map((p) => p.nodeId);
}

function allEmpty(s: Scheduler): boolean {
  return [...s.nodes()].every((n) => n.capacity.isEmpty());
}

describe("placement-group strategies", () => {
  it("STRICT_PACK puts every bundle on one node, or reserves nothing", () => {
    const s = cluster(3);
    const on = nodesOf(reserve(s, "STRICT_PACK", [{ cpus: 1 }, { cpus: 2 }, { gpus: 1 }]));
    assert.equal(new Set(on).size, 1);
    const before = [...s.nodes()].map((n) => n.capacity.available().cpus);
    const none = reserve(s, "STRICT_PACK", [{ cpus: 3 }, { cpus: 3 }]);
    assert.ok("reason" in none && /together/.test(none.reason));
    assert.deepEqual(
      [...s.nodes()].map((n) => n.capacity.available().cpus),
      before,
      "nothing left behind",
    );
  });

  it("PACK uses one node when it can, and spills over when it must", () => {
    const s = cluster(3);
    assert.equal(new Set(nodesOf(reserve(s, "PACK", [{ cpus: 1 }, { cpus: 1 }]))).size, 1);
    assert.equal(new Set(nodesOf(reserve(s, "PACK", [{ cpus: 3 }, { cpus: 3 }, { cpus: 1 }]))).size, 2);
  });

  it("STRICT_SPREAD puts each bundle on its own node, or reserves nothing", () => {
    const s = cluster(3);
    assert.equal(
      new Set(nodesOf(reserve(s, "STRICT_SPREAD", [{ cpus: 1 }, { cpus: 1 }, { cpus: 1 }]))).size,
      3,
    );
    const none = reserve(s, "STRICT_SPREAD", [{ cpus: 1 }, { cpus: 1 }, { cpus: 1 }, { cpus: 1 }]);
    assert.ok("reason" in none && /bundle 3/.test(none.reason));
    assert.equal(
      [...s.nodes()].reduce((sum, n) => sum + n.capacity.available().cpus, 0),
      9,
    );
  });

  it("SPREAD spreads as far as nodes go, then shares", () => {
    const s = cluster(2);
    const on = nodesOf(reserve(s, "SPREAD", [{ cpus: 1 }, { cpus: 1 }, { cpus: 1 }]));
    assert.equal(new Set(on.slice(0, 2)).size, 2);
    assert.equal(on.length, 3);
  });

  it("reserves all or none: a group too big for the cluster leaves it empty", () => {
    for (const strategy of ["PACK", "SPREAD", "STRICT_PACK", "STRICT_SPREAD"] as const) {
      const s = cluster(2);
      const out = reserve(s, strategy, [{ cpus: 2 }, { gpus: 2 }, { cpus: 4 }, { cpus: 4 }]);
      assert.ok("reason" in out, strategy);
      assert.ok(allEmpty(s), strategy);
    }
  });
});

describe("Bundles", () => {
  it("places actors inside a bundle's reservation only, on the bundle's GPUs, and frees back into it", () => {
    const s = cluster(1);
    const out = reserve(s, "PACK", [{ cpus: 2, gpus: 1, vramMb: 8000 }]);
    assert.ok("placed" in out);
    const [bundle] = out.placed;
    assert.ok(bundle);
    const node = s.node(bundle.nodeId);
    assert.ok(node);
    const b = new Bundles();
    b.declare("g", 1);
    b.set("g", 0, bundle.nodeId, bundle.allocation, node.capacity);
    const a1 = b.place("a1", toDemand(req({ cpus: 1, gpus: 0.5, vramMb: 4000 })), "g", 0);
    assert.ok("placed" in a1);
    assert.deepEqual(
      a1.placed.allocation.gpus.map((g) => g.index),
      bundle.allocation.gpus.map((g) => g.index),
    );
    const a2 = b.place("a2", toDemand(req({ cpus: 1, gpus: 0.5, vramMb: 13_000 })), "g", -1);
    assert.ok(
      "reason" in a2 && /bundle 0/.test(a2.reason),
      "a whole GPU holds its 16,384 MiB: 4,000 + 13,000 do not fit",
    );
    assert.ok("reason" in b.place("a3", toDemand(req({ cpus: 1 })), "g", 1));
    assert.ok("reason" in b.place("a4", toDemand(req({ cpus: 1 })), "nope", 0));
    assert.equal(b.release("a1"), true);
    assert.ok("placed" in b.place("a5", toDemand(req({ cpus: 2, gpus: 1 })), "g", 0));
    assert.deepEqual(b.remove("g"), ["a5"]);
  });
});
