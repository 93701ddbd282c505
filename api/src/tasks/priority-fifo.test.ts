import assert from "node:assert/strict";
import { test } from "node:test";
import { PriorityFifo } from "./priority-fifo.js";

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
