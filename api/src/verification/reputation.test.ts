import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { HISTORY_KEPT, NEW_SCORE, reputationOf, sampleRateFor, type Verdict } from "./reputation.js";

const AT = new Date("2026-12-06T00:00:00Z");
/** Verdicts about one node, a second apart, as the store reads them. */
const events = (verdicts: Verdict[]) =>
  verdicts.map((verdict, i) => ({
    at: new Date(AT.getTime() + i * 1000),
    nodeId: "n",
    verdict,
    source: "check" as const,
  }));
const scoreOf = (verdicts: Verdict[]) => reputationOf(events(verdicts)).score;
const verdicts = fc.array(fc.constantFrom<Verdict>("agreed", "fault"), { maxLength: 300 });

test("a new node starts at 0.5; agreements raise it to at most 1, each fault takes a fifth", () => {
  assert.deepEqual(reputationOf([]), { score: NEW_SCORE, agreed: 0, faults: 0, history: [] });
  const agreed = scoreOf(Array.from({ length: 70 }, (): Verdict => "agreed"));
  assert.ok(agreed > 0.99 && agreed <= 1, String(agreed));
  assert.equal(scoreOf(Array.from({ length: 500 }, (): Verdict => "agreed")), 1);
  assert.ok(Math.abs(scoreOf(["agreed", "fault"]) - 0.5 * 1.01 * 0.8) < 1e-12);
});

test("the score stays in (0, 1]; a fault never raises it; an agreement never lowers it", () => {
  fc.assert(
    fc.property(verdicts, fc.constantFrom<Verdict>("agreed", "fault"), (history, next) => {
      const before = scoreOf(history);
      const after = scoreOf([...history, next]);
      assert.ok(after > 0 && after <= 1);
      if (next === "fault") assert.ok(after < before);
      else assert.ok(after >= before);
    }),
  );
});

test("the history is the newest verdicts, newest first, each with the score it left", () => {
  const r = reputationOf(events(["agreed", "fault"]));
  assert.deepEqual(
    r.history.map((e) => [e.verdict, e.score]),
    [
      ["fault", 0.5 * 1.01 * 0.8],
      ["agreed", 0.5 * 1.01],
    ],
  );
  const long = reputationOf(events(Array.from({ length: HISTORY_KEPT + 10 }, (): Verdict => "agreed")));
  assert.equal(long.history.length, HISTORY_KEPT);
  assert.equal(long.history[0]?.score, long.score, "the newest first");
  assert.equal(long.agreed, HISTORY_KEPT + 10, "counts are over every verdict");
});

test("low scores are checked more: twice the base rate when new, every task at the floor", () => {
  assert.equal(sampleRateFor(0.05, 1), 0.05);
  assert.equal(sampleRateFor(0.05, NEW_SCORE), 0.1);
  assert.equal(sampleRateFor(0.05, 0.05), 1);
  assert.equal(sampleRateFor(0.05, 0.01), 1);
});
