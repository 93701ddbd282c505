import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { NEW_SCORE, reputationOf, sampleRateFor, type Verdict } from "./reputation.js";

const verdicts = fc.array(fc.constantFrom<Verdict>("agreed", "fault"), { maxLength: 300 });

test("a new node starts at 0.5; agreements raise it to at most 1, each fault takes a fifth", () => {
  assert.deepEqual(reputationOf([]), { score: NEW_SCORE, agreed: 0, faults: 0 });
  const agreed = reputationOf(Array.from({ length: 70 }, (): Verdict => "agreed"));
  assert.ok(agreed.score > 0.99 && agreed.score <= 1, String(agreed.score));
  assert.equal(reputationOf(Array.from({ length: 500 }, (): Verdict => "agreed")).score, 1);
  const once = reputationOf(["agreed", "fault"]);
  assert.ok(Math.abs(once.score - 0.5 * 1.01 * 0.8) < 1e-12);
});

test("the score stays in (0, 1]; a fault never raises it; an agreement never lowers it", () => {
  fc.assert(
    fc.property(verdicts, fc.constantFrom<Verdict>("agreed", "fault"), (history, next) => {
      const before = reputationOf(history).score;
      const after = reputationOf([...history, next]).score;
      assert.ok(after > 0 && after <= 1);
      if (next === "fault") assert.ok(after < before);
      else assert.ok(after >= before);
    }),
  );
});

test("low scores are checked more: twice the base rate when new, every task at the floor", () => {
  assert.equal(sampleRateFor(0.05, 1), 0.05);
  assert.equal(sampleRateFor(0.05, NEW_SCORE), 0.1);
  assert.equal(sampleRateFor(0.05, 0.05), 1);
  assert.equal(sampleRateFor(0.05, 0.01), 1);
});
