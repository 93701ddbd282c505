import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ModelManifest, ResultComparison } from "@neurogrid/schema";
import fc from "fast-check";
import { compareResults, comparisonProblem } from "./result-comparison.js";

const outputs: ModelManifest["outputs"] = [
  { name: "logits", dtype: "float32", shape: [-1, 4] },
  { name: "probabilities", dtype: "float32", shape: [-1, 4] },
];

function manifest(comparison?: ResultComparison): Pick<ModelManifest, "comparison" | "outputs"> {
  return comparison === undefined ? { outputs } : { outputs, comparison };
}

const RULES: ResultComparison[] = [
  { rule: "exact" },
  { rule: "close", tolerances: { logits: { atol: 1e-3, rtol: 1e-3 } } },
  { rule: "argmax", output: "logits" },
  { rule: "topk", output: "logits", k: 2 },
  { rule: "text" },
];

const value = fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }).map(Math.fround);
const row = fc.array(value, { minLength: 4, maxLength: 4 });
const result = fc
  .array(fc.tuple(row, row), { minLength: 1, maxLength: 5 })
  .map((rows) => ({ logits: rows.map((r) => r[0]), probabilities: rows.map((r) => r[1]) }));
const rule = fc.constantFrom(...RULES);

type Result = { logits: number[][]; probabilities: number[][] };

function withLogit(r: Result, rowIndex: number, column: number, v: number): Result {
  const logits = r.logits.map((x) => [...x]);
  (logits[rowIndex] as number[])[column] = v;
  return { ...r, logits };
}

describe("result comparison", () => {
  it("is reflexive under every rule", () => {
    fc.assert(
      fc.property(rule, result, (c, r) => {
        assert.deepEqual(compareResults(manifest(c), r, structuredClone(r)), { agree: true });
      }),
    );
  });

  it("is symmetric under every rule", () => {
    fc.assert(
      fc.property(rule, result, result, (c, a, b) => {
        assert.equal(compareResults(manifest(c), a, b).agree, compareResults(manifest(c), b, a).agree);
      }),
    );
  });

  it("exact: any changed value disagrees, naming the output and the element", () => {
    fc.assert(
      fc.property(result, fc.nat(), fc.nat(3), (r, i, j) => {
        const at = i % r.logits.length;
        const old = r.logits[at]?.[j] as number;
        const changed = withLogit(r, at, j, old === 0 ? 1e-30 : old * -1 || old + 1);
        const verdict = compareResults(manifest({ rule: "exact" }), r, changed);
        assert.equal(verdict.agree, false);
        if (!verdict.agree) assert.match(verdict.reason, new RegExp(`^logits\\[${at * 4 + j}\\]`));
      }),
    );
  });

  it("close: within atol + rtol * max(|a|,|b|) agrees, beyond it disagrees", () => {
    const tolerance = { atol: 1e-3, rtol: 1e-2 };
    const c: ResultComparison = {
      rule: "close",
      tolerances: { logits: tolerance, probabilities: tolerance },
    };
    fc.assert(
      fc.property(result, fc.nat(), fc.nat(3), fc.boolean(), (r, i, j, up) => {
        const at = i % r.logits.length;
        const old = r.logits[at]?.[j] as number;
        const allowed = tolerance.atol + tolerance.rtol * Math.abs(old);
        const sign = up ? 1 : -1;
        const inside = withLogit(r, at, j, old + sign * allowed * 0.5);
        const outside = withLogit(r, at, j, old + sign * (allowed * 2.5 + 1e-6));
        assert.equal(compareResults(manifest(c), r, inside).agree, true);
        assert.equal(compareResults(manifest(c), r, outside).agree, false);
      }),
    );
  });

  it("close without declared tolerances uses the default one (1e-4 + 1e-3 relative)", () => {
    const a = { logits: [[1, 2, 3, 4]], probabilities: [[0.1, 0.2, 0.3, 0.4]] };
    const near = { ...a, logits: [[1.0005, 2, 3, 4]] };
    const far = { ...a, logits: [[1.01, 2, 3, 4]] };
    assert.equal(compareResults(manifest(), a, near).agree, true);
    assert.equal(compareResults(manifest(), a, far).agree, false);
  });

  it("argmax: a change that keeps every row's largest index agrees; moving it disagrees", () => {
    const c: ResultComparison = { rule: "argmax", output: "logits" };
    const a = {
      logits: [
        [0.1, 0.7, 0.2, 0],
        [3, 1, 2, 0],
      ],
      probabilities: [
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ],
    };
    const sameClasses = {
      logits: [
        [0.2, 0.5, 0.3, 0],
        [9, 1, 2, 8],
      ],
      probabilities: [
        [1, 1, 1, 1],
        [1, 1, 1, 1],
      ],
    };
    const moved = {
      ...a,
      logits: [
        [0.1, 0.7, 0.2, 0],
        [3, 1, 4, 0],
      ],
    };
    assert.deepEqual(compareResults(manifest(c), a, sameClasses), { agree: true });
    assert.deepEqual(compareResults(manifest(c), a, moved), {
      agree: false,
      reason: "logits row 1: top 1 [0] vs [2]",
    });
  });

  it("topk: the same set of k largest agrees in any order; a different member disagrees", () => {
    const c: ResultComparison = { rule: "topk", output: "logits", k: 2 };
    const a = { logits: [[5, 4, 1, 0]], probabilities: [[0, 0, 0, 0]] };
    assert.equal(compareResults(manifest(c), a, { ...a, logits: [[4, 5, 0, 1]] }).agree, true);
    assert.equal(compareResults(manifest(c), a, { ...a, logits: [[5, 1, 4, 0]] }).agree, false);
  });

  it("a generation is compared by its text under any rule", () => {
    fc.assert(
      fc.property(rule, fc.string(), fc.string(), (c, x, y) => {
        const verdict = compareResults(
          manifest(c),
          { text: x, finishReason: "length" },
          { text: y, finishReason: "length" },
        );
        assert.equal(verdict.agree, x === y);
      }),
    );
    assert.deepEqual(
      compareResults(manifest({ rule: "text" }), { text: "Alice was" }, { text: "Alice saw" }),
      {
        agree: false,
        reason: 'text differs from character 6: "was" vs "saw"',
      },
    );
  });

  it("a missing output or another shape disagrees", () => {
    const a = { logits: [[1, 2, 3, 4]], probabilities: [[0, 0, 0, 1]] };
    for (const c of RULES.filter((r) => r.rule !== "text")) {
      assert.equal(compareResults(manifest(c), a, { probabilities: a.probabilities }).agree, false);
      assert.equal(
        compareResults(manifest(c), a, {
          ...a,
          logits: [
            [1, 2, 3, 4],
            [1, 2, 3, 4],
          ],
        }).agree,
        false,
      );
    }
  });

  it("refuses a rule naming an output the model does not have", () => {
    assert.equal(comparisonProblem(manifest({ rule: "argmax", output: "logits" })), undefined);
    assert.equal(
      comparisonProblem(manifest({ rule: "topk", output: "scores", k: 3 })),
      "comparison names output scores, not one of logits, probabilities",
    );
    assert.match(
      comparisonProblem(manifest({ rule: "close", tolerances: { probs: { atol: 0, rtol: 0 } } })) ?? "",
      /names output probs/,
    );
  });
});
