import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Capacity } from "./capacity.js";
import { toDemand } from "./demand.js";
import { req, shape } from "./test-fixtures.js";

function take(c: Capacity, gpus: number, vramMb = 0) {
  return c.take(toDemand(req({ gpus, vramMb })))?.gpus.map((g) => g.index);
}

describe("Capacity: GPUs", () => {
  it("packs fractions onto one GPU before opening the next, and keeps whole GPUs whole", () => {
    const c = Capacity.ofNode(shape(8, 8192, 3));
    assert.deepEqual(take(c, 0.25), [0]);
    assert.deepEqual(take(c, 0.5), [0]);
    assert.deepEqual(take(c, 0.25), [0]);
    assert.deepEqual(take(c, 0.5), [1]);
    assert.deepEqual(take(c, 1), [2], "GPU 1 is shared, so a whole GPU is GPU 2");
    assert.deepEqual(take(c, 0.5), [1]);
    assert.equal(take(c, 0.25), undefined);
    assert.deepEqual(
      c.gpuFree().map((g) => g.fraction),
      [0, 0, 0],
    );
  });

  it("picks the fullest GPU a fraction still fits (best fit)", () => {
    const c = Capacity.ofNode(shape(8, 8192, 2));
    take(c, 0.5); // GPU 0
    take(c, 0.75); // GPU 1
    assert.deepEqual(take(c, 0.25), [1]);
    assert.deepEqual(take(c, 0.5), [0]);
  });

  it("never puts more VRAM on a GPU than it has", () => {
    const c = Capacity.ofNode(shape(8, 8192, 2, 10_000));
    assert.deepEqual(take(c, 0.25, 6_000), [0]);
    assert.deepEqual(take(c, 0.25, 6_000), [1], "GPU 0 has 0.75 free but only 4,000 MiB");
    assert.deepEqual(take(c, 0.25, 4_000), [0]);
    assert.equal(take(c, 0.1, 4_001), undefined);
    assert.match(
      c.misfit(toDemand(req({ gpus: 0.1, vramMb: 4_001 }))) ?? "",
      /no GPU has 0.1 free and 4001 MiB VRAM/,
    );
    assert.ok(c.gpuFree().every((g) => g.vramMb >= 0));
  });

  it("refuses a request whose VRAM exceeds every GPU, even a whole one", () => {
    const c = Capacity.ofNode(shape(8, 8192, 2, 8_000));
    assert.equal(take(c, 1, 9_000), undefined);
    assert.deepEqual(take(c, 2, 8_000), [0, 1]);
  });

  it("gives back exactly what it took", () => {
    const c = Capacity.ofNode(shape(4, 4096, 2, 1000, { tpu: 1 }));
    const a = c.take(
      toDemand(req({ cpus: 0.3, memoryMb: 100, gpus: 0.3, vramMb: 300, custom: { tpu: 0.1 } })),
    );
    const b = c.take(toDemand(req({ cpus: 0.1, gpus: 1 })));
    assert.ok(a && b);
    assert.equal(c.isEmpty(), false);
    c.give(a);
    c.give(b);
    assert.equal(c.isEmpty(), true);
    assert.equal(c.utilization(), 0);
  });

  it("reports utilisation as the busiest resource's used fraction", () => {
    const c = Capacity.ofNode(shape(4, 4096, 2));
    c.take(toDemand(req({ cpus: 1, gpus: 1 })));
    assert.equal(c.utilization(), 0.5);
    assert.equal(Capacity.ofNode(shape(0, 0)).utilization(), 1);
  });
});

describe("toDemand", () => {
  it("rejects bad requests with INVALID_ARGUMENT", () => {
    for (const bad of [
      req({ cpus: -1 }),
      req({ gpus: 1.5 }),
      req({ gpus: 0.00001 }),
      req({ memoryMb: 0.5 }),
      req({ vramMb: 100 }),
      req({ custom: { x: Number.NaN } }),
    ]) {
      assert.throws(() => toDemand(bad), { code: "INVALID_ARGUMENT" }, JSON.stringify(bad));
    }
    assert.equal(toDemand(req({ gpus: 0.25 })).gpuFraction, 2500);
    assert.equal(toDemand(req({ gpus: 2 })).gpuCount, 2);
  });
});
