import assert from "node:assert/strict";
import { test } from "node:test";
import type { ModelManifest } from "@neurogrid/schema";
import fc from "fast-check";
import { judgeDispute } from "./referee.js";

const manifest: Pick<ModelManifest, "comparison" | "outputs"> = {
  outputs: [{ name: "y", dtype: "float32", shape: [-1, 3] }],
  comparison: { rule: "close", tolerances: { y: { atol: 1e-3, rtol: 0 } } },
};
const nodes = { task: "node-a", check: "node-b", referee: "node-c" };
const honest = { y: [[0.1, 0.2, 0.7]] };
const lie = { y: [[0.7, 0.2, 0.1]] };
const otherLie = { y: [[0.2, 0.7, 0.1]] };

test("the run that disagrees with the other two is at fault", () => {
  assert.equal(judgeDispute(manifest, { task: lie, check: honest, referee: honest }, nodes).atFault, "task");
  assert.equal(judgeDispute(manifest, { task: honest, check: lie, referee: honest }, nodes).atFault, "check");
  const none = judgeDispute(manifest, { task: lie, check: honest, referee: otherLie }, nodes);
  assert.deepEqual(none, { atFault: undefined, verdict: "no two of node-a, node-b, node-c agree" });
  assert.match(
    judgeDispute(manifest, { task: lie, check: honest, referee: honest }, nodes).verdict,
    /^node-a disagrees with node-b and node-c: y\[0\]/,
  );
});

test("an honest provider is never at fault when the other honest one referees", () => {
  // Honest runs differ by less than the tolerance; a lie by more. Whoever lies, the honest
  // task or check is never blamed.
  const value = fc.float({ min: -10, max: 10, noNaN: true }).map(Math.fround);
  fc.assert(
    fc.property(
      fc.array(value, { minLength: 3, maxLength: 3 }),
      fc.boolean(),
      fc.float({ min: 0, max: Math.fround(4e-4), noNaN: true }),
      (row, taskLies, drift) => {
        const truth = { y: [row] };
        const drifted = { y: [row.map((v) => v + drift)] };
        const lied = { y: [row.map((v) => v + 0.5)] };
        const runs = taskLies
          ? { task: lied, check: truth, referee: drifted }
          : { task: truth, check: lied, referee: drifted };
        assert.equal(judgeDispute(manifest, runs, nodes).atFault, taskLies ? "task" : "check");
      },
    ),
  );
});
