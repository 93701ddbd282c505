/**
 * Property: over random workloads (nodes joining and leaving, actors of random shapes placed
 * with random strategies and released), no resource of any node is ever overcommitted (free
 * amounts never negative, a GPU's VRAM shares never above its memory, its fractions never above
 * one) and nothing leaks (what is free plus what is allocated is always the node's total, and
 * once every actor is released every node is empty again).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResourceRequest, SchedulingStrategy } from "@neurogrid/schema";
import fc from "fast-check";
import { toUnits, UNIT } from "./demand.js";
import { Scheduler } from "./scheduler.js";
import { shape } from "./test-fixtures.js";

const nodeShape = fc.record({
  cpus: fc.integer({ min: 0, max: 16 }),
  memoryMb: fc.integer({ min: 0, max: 8192 }),
  gpus: fc.integer({ min: 0, max: 4 }),
  vramMb: fc.constantFrom(0, 8_000, 16_000, 24_000),
  tpu: fc.constantFrom(0, 1, 2.5),
});

type NodeShape = { cpus: number; memoryMb: number; gpus: number; vramMb: number; tpu: number };

const request: fc.Arbitrary<ResourceRequest> = fc
  .record({
    cpus: fc.constantFrom(0, 0.1, 0.25, 0.5, 1, 2, 3.3),
    memoryMb: fc.constantFrom(0, 100, 1000, 4096),
    gpus: fc.constantFrom(0, 0, 0.1, 0.25, 0.3, 0.5, 1, 2),
    vram: fc.constantFrom(0, 1000, 4000, 9000, 17_000),
    tpu: fc.constantFrom(0, 0, 0.5, 1),
  })
  .map(
    (r): ResourceRequest => ({
      cpus: r.cpus,
      memoryMb: r.memoryMb,
      gpus: r.gpus,
      vramMb: r.gpus > 0 ? r.vram : 0,
      custom: r.tpu > 0 ? { tpu: r.tpu } : {},
    }),
  );

const strategy: fc.Arbitrary<SchedulingStrategy> = fc.oneof(
  fc.constant({ kind: "DEFAULT" as const }),
  fc.constant({ kind: "SPREAD" as const }),
  fc.record({
    kind: fc.constant("NODE_AFFINITY" as const),
    nodeId: fc.constantFrom("n0", "n1", "n2", "n9"),
    soft: fc.boolean(),
  }),
);

const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant("place" as const), request, strategy }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant("release" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("add" as const), node: nodeShape }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("remove" as const), pick: fc.nat() }) },
);

function checkNoOvercommitNoLeak(s: Scheduler): void {
  for (const node of s.nodes()) {
    const c = node.capacity;
    let cpu = c.cpu;
    let memoryMb = c.memoryMb;
    let tpu = c.custom.get("tpu") ?? 0;
    const gpuUnits = new Map(c.gpus.map((g) => [g.info.index, g.freeUnits]));
    const gpuVram = new Map(c.gpus.map((g) => [g.info.index, g.freeVramMb]));
    assert.ok(cpu >= 0 && memoryMb >= 0 && tpu >= 0, `${node.nodeId} overcommitted`);
    for (const g of c.gpus) {
      assert.ok(g.freeUnits >= 0 && g.freeUnits <= UNIT, `${node.nodeId} GPU ${g.info.index} fraction`);
      assert.ok(
        g.freeVramMb >= 0 && g.freeVramMb <= g.info.memoryMb,
        `${node.nodeId} GPU ${g.info.index} VRAM`,
      );
    }
    for (const id of node.allocations) {
      const held = s.allocation(id);
      assert.ok(held && held.nodeId === node.nodeId);
      cpu += held.allocation.cpu;
      memoryMb += held.allocation.memoryMb;
      for (const [name, units] of held.allocation.custom) if (name === "tpu") tpu += units;
      for (const share of held.allocation.gpus) {
        gpuUnits.set(share.index, (gpuUnits.get(share.index) ?? Number.NaN) + share.units);
        gpuVram.set(share.index, (gpuVram.get(share.index) ?? Number.NaN) + share.vramMb);
      }
    }
    assert.equal(cpu, toUnits(node.total.cpus), `${node.nodeId} cpu leak`);
    assert.equal(memoryMb, node.total.memoryMb, `${node.nodeId} memory leak`);
    assert.equal(tpu, toUnits(node.total.custom.tpu ?? 0), `${node.nodeId} tpu leak`);
    for (const gpu of node.total.gpus) {
      assert.equal(gpuUnits.get(gpu.index), UNIT, `${node.nodeId} GPU ${gpu.index} fraction leak`);
      assert.equal(gpuVram.get(gpu.index), gpu.memoryMb, `${node.nodeId} GPU ${gpu.index} VRAM leak`);
    }
  }
}

describe("Scheduler property", () => {
  it("never overcommits and never leaks, over random workloads", () => {
    fc.assert(
      fc.property(
        fc.array(nodeShape, { minLength: 1, maxLength: 5 }),
        fc.array(op, { maxLength: 120 }),
        (nodes, ops) => {
          const s = new Scheduler();
          let nodeCount = 0;
          const addNode = (n: NodeShape) =>
            s.addNode(
              `n${nodeCount++}`,
              shape(n.cpus, n.memoryMb, n.gpus, n.vramMb, n.tpu > 0 ? { tpu: n.tpu } : {}),
            );
          for (const n of nodes) addNode(n);
          const live: string[] = [];
          let next = 0;
          for (const o of ops) {
            if (o.type === "place") {
              const id = `a${next++}`;
              if ("placed" in s.place(id, o.request, { strategy: o.strategy })) live.push(id);
            } else if (o.type === "release" && live.length > 0) {
              const [id] = live.splice(o.pick % live.length, 1);
              assert.equal(s.release(id ?? ""), true);
            } else if (o.type === "add") {
              addNode(o.node);
            } else if (o.type === "remove" && nodeCount > 0) {
              const dropped = new Set(s.removeNode(`n${o.pick % nodeCount}`));
              for (let i = live.length - 1; i >= 0; i--) if (dropped.has(live[i] ?? "")) live.splice(i, 1);
            }
            checkNoOvercommitNoLeak(s);
          }
          for (const id of live) assert.equal(s.release(id), true);
          for (const node of s.nodes()) assert.equal(node.capacity.isEmpty(), true, `${node.nodeId} leaked`);
        },
      ),
      { numRuns: 300 },
    );
  });
});
