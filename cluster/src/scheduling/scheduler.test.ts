import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Scheduler } from "./scheduler.js";
import { req, shape } from "./test-fixtures.js";

describe("Scheduler", () => {
  it("places fractional GPU actors on specific GPU indices and frees them on release", () => {
    const s = new Scheduler();
    s.addNode("g", shape(8, 8192, 2, 8000));
    const gpuOf = (id: string, gpus: number, vramMb = 0) => {
      const out = s.place(id, req({ gpus, vramMb }));
      assert.ok("placed" in out, JSON.stringify(out));
      return out.placed.allocation.gpus.map((g) => g.index);
    };
    assert.deepEqual(gpuOf("a", 0.5, 3000), [0]);
    assert.deepEqual(gpuOf("b", 0.5, 6000), [1], "GPU 0 lacks the VRAM");
    assert.deepEqual(gpuOf("c", 0.5, 5000), [0]);
    assert.ok("reason" in s.place("d", req({ gpus: 0.6 })));
    assert.equal(s.release("a"), true);
    assert.equal(s.release("a"), false);
    assert.deepEqual(gpuOf("e", 0.25, 3000), [0]);
  });

  it("drops a removed node's allocations and returns their ids", () => {
    const s = new Scheduler();
    s.addNode("n", shape(4, 4096));
    s.place("a", req({ cpus: 1 }));
    s.place("b", req({ cpus: 1 }));
    assert.deepEqual(s.removeNode("n").sort(), ["a", "b"]);
    assert.equal(s.release("a"), false);
    s.addNode("n", shape(4, 4096));
    assert.equal(s.node("n")?.capacity.isEmpty(), true);
  });

  it("restores an exact allocation, and refuses one that no longer fits", () => {
    const s = new Scheduler();
    s.addNode("n", shape(4, 4096, 1));
    const out = s.place("a", req({ cpus: 3, gpus: 1 }));
    assert.ok("placed" in out);
    const again = new Scheduler();
    again.addNode("n", shape(4, 4096, 1));
    assert.equal(again.restore("a", "n", out.placed.allocation), true);
    assert.equal(again.restore("b", "n", out.placed.allocation), false, "would double-book");
    assert.equal(again.node("n")?.capacity.available().cpus, 1);
  });
});
