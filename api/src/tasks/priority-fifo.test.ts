import assert from "node:assert/strict";
import { test } from "node:test";
import { PriorityFifo } from "./priority-fifo.js";
import { RateMeter } from "./rate-meter.js";

test("PriorityFifo: highest priority first, oldest first within a priority; remove and drain", () => {
  const q = new PriorityFifo<string>();
  q.push(0, "a0");
  q.push(5, "b5");
  q.push(0, "c0");
  q.push(9, "d9");
  q.push(5, "e5");
  assert.equal(q.size, 5);
  assert.equal(q.peek(), "d9");
  assert.equal(
    q.remove((x) => x === "b5"),
    true,
  );
  assert.equal(
    q.remove((x) => x === "zz"),
    false,
  );
  assert.deepEqual(q.toArray(), ["d9", "e5", "a0", "c0"]);
  assert.equal(q.shift(), "d9");
  assert.equal(q.shift(), "e5");
  q.push(7, "f7");
  assert.deepEqual(q.drain(), ["f7", "a0", "c0"]);
  assert.equal(q.size, 0);
  assert.equal(q.shift(), undefined);
});

test("PriorityFifo: a long run through one priority keeps its order", () => {
  const q = new PriorityFifo<number>();
  for (let i = 0; i < 5000; i++) q.push(1, i);
  const out: number[] = [];
  for (let i = 0; i < 3000; i++) out.push(q.shift() as number);
  for (let i = 5000; i < 6000; i++) q.push(1, i);
  while (q.size > 0) out.push(q.shift() as number);
  assert.deepEqual(
    out,
    Array.from({ length: 6000 }, (_, i) => i),
  );
});

test("RateMeter: events per second over the last second", () => {
  let now = 10_000;
  const m = new RateMeter(() => now);
  assert.equal(m.perSecond(), 0, "nothing marked");
  for (let i = 0; i < 50; i++) {
    m.mark();
    now += 10;
  }
  // 50 events in 500 ms: 100 per second, rated over the meter's age.
  assert.equal(Math.round(m.perSecond()), 100);
  now += 1000;
  for (let i = 0; i < 20; i++) {
    m.mark();
    now += 50;
  }
  // The window holds the last second only (in tenths: the oldest tenth may have left): 18-20.
  const rate = m.perSecond();
  assert.ok(rate >= 18 && rate <= 20, String(rate));
  now += 5000;
  assert.equal(m.perSecond(), 0, "a quiet second forgets");
});
