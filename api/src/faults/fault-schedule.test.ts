/**
 * The fault schedule is drawn from the seed alone: the same seed replays the same schedule,
 * every fault kind is in it at least once, and the faults come in order over the submissions.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { prng } from "../chaos/prng.js";
import { drawSchedule, FAULT_KINDS } from "./fault-schedule.js";

test("the same seed gives the same schedule, another seed another one", () => {
  const a = drawSchedule(prng(42), { tasks: 1000, count: 8 });
  assert.deepEqual(drawSchedule(prng(42), { tasks: 1000, count: 8 }), a);
  assert.notDeepEqual(drawSchedule(prng(43), { tasks: 1000, count: 8 }), a);
});

test("every kind at least once, as many faults as asked, in order within the submissions", () => {
  for (let seed = 0; seed < 50; seed++) {
    const schedule = drawSchedule(prng(seed), { tasks: 1000, count: 8 });
    assert.equal(schedule.length, 8);
    for (const kind of FAULT_KINDS)
      assert.ok(
        schedule.some((f) => f.kind === kind),
        `seed ${seed}: ${kind}`,
      );
    const points = schedule.map((f) => f.atTask);
    assert.deepEqual(
      [...points].sort((x, y) => x - y),
      points,
      `seed ${seed}: in order`,
    );
    assert.ok(
      points.every((p) => p >= 50 && p < 850),
      `seed ${seed}: within the load`,
    );
  }
});
