import assert from "node:assert/strict";
import { test } from "node:test";
import { PriorityFifo } from "./priority-fifo.js";
import { jobInput, jsonLengthBound, MAX_JOB_INPUT_CHARS } from "./task-queue.js";

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

test("jsonLengthBound: never below the JSON's length; a small tensor needs no JSON written", () => {
  const samples: unknown[] = [
    { features: [Array.from({ length: 16 }, (_, i) => Math.sin(i))] },
    {
      a: [-1.2345678901234567e-308, Number.MAX_VALUE, 0.1, -0],
      b: 'quote " and \\ and \u0001',
      c: [true, null],
    },
    {
      nested: {
        deeper: [
          [1, 2],
          [3, [4, [5]]],
        ],
        text: "é☃",
      },
    },
  ];
  for (const v of samples) assert.ok(jsonLengthBound(v, 1e9) >= JSON.stringify(v).length, JSON.stringify(v));
  const small = { features: [Array.from({ length: 16 }, (_, i) => Math.sin(i))] };
  assert.ok(jsonLengthBound(small, MAX_JOB_INPUT_CHARS) <= MAX_JOB_INPUT_CHARS);
  assert.equal(jobInput(undefined, small), small, "carried in its job");
  const big = { features: [Array.from({ length: 400 }, () => 0.123456789)] }; // 4,816 characters
  assert.equal(jobInput(undefined, big), undefined, "too large to carry");
  // The bound is loose: a value it cannot clear is measured exactly.
  const ints = { features: [Array.from({ length: 400 }, () => 1)] };
  assert.ok(jsonLengthBound(ints, MAX_JOB_INPUT_CHARS) > MAX_JOB_INPUT_CHARS);
  assert.equal(jobInput(undefined, ints), ints, "801 characters of JSON: carried");
});
