import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CallGate } from "./call-gate.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("CallGate", () => {
  it("runs up to its limit at once, the rest in FIFO order as slots free", async () => {
    const gate = new CallGate(2);
    const started: number[] = [];
    const done = Array.from({ length: 5 }, () => deferred());
    done.forEach((d, i) => {
      gate.enter(() => {
        started.push(i);
        return d.promise;
      });
    });
    assert.deepEqual([started, gate.running, gate.queued], [[0, 1], 2, 3]);
    done[1]?.resolve();
    await gate.idle(0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1, 2]);
    for (const d of done) d.resolve();
    assert.equal(await gate.idle(1_000), true);
    assert.deepEqual([started, gate.peak], [[0, 1, 2, 3, 4], 2]);
  });

  it("lets a waiting call withdraw (it never runs), but not a running one", async () => {
    const gate = new CallGate(1);
    const first = deferred();
    let secondRan = false;
    const running = gate.enter(() => first.promise);
    const waiting = gate.enter(async () => {
      secondRan = true;
    });
    assert.equal(waiting.withdraw(), true);
    assert.equal(waiting.withdraw(), false);
    assert.equal(running.withdraw(), false);
    first.resolve();
    assert.equal(await gate.idle(1_000), true);
    assert.equal(secondRan, false);
  });

  it("reports idle false when work outlasts the timeout, and survives a failing call", async () => {
    const gate = new CallGate(1);
    const hold = deferred();
    gate.enter(() => Promise.reject(new Error("boom")));
    gate.enter(() => hold.promise);
    assert.equal(await gate.idle(20), false);
    hold.resolve();
    assert.equal(await gate.idle(1_000), true);
    assert.throws(() => new CallGate(0), RangeError);
  });
});
