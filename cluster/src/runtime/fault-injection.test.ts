import assert from "node:assert/strict";
import { test } from "node:test";
import type { ModelManifest } from "@neurogrid/schema";
import { compareResults } from "../models/result-comparison.js";
import { lieDraw, perturbOutputs } from "./fault-injection.js";

test("a fraction q of answers lie, reproducibly for a seed", () => {
  for (const rate of [0, 0.2, 1]) {
    const draw = lieDraw({ rate, seed: 9 });
    const lies = Array.from({ length: 10_000 }, draw).filter(Boolean).length;
    assert.ok(Math.abs(lies / 10_000 - rate) < 0.02, `rate ${rate}: ${lies} lies in 10000`);
  }
  const a = lieDraw({ rate: 0.5, seed: 3 });
  const b = lieDraw({ rate: 0.5, seed: 3 });
  assert.deepEqual(Array.from({ length: 50 }, a), Array.from({ length: 50 }, b));
});

test("a lie keeps the shapes and is caught by every comparison rule", () => {
  const outputs = { logits: [[0.1, 2, 0.3, -1]], probabilities: [[0.1, 0.6, 0.2, 0.1]] };
  const lie = perturbOutputs(outputs);
  assert.deepEqual(
    (lie.logits as number[][]).map((r) => r.length),
    [4],
  );
  const specs: ModelManifest["outputs"] = [
    { name: "logits", dtype: "float32", shape: [-1, 4] },
    { name: "probabilities", dtype: "float32", shape: [-1, 4] },
  ];
  const rules: ModelManifest["comparison"][] = [
    { rule: "exact" },
    { rule: "close" },
    { rule: "argmax", output: "logits" },
    { rule: "topk", output: "logits", k: 2 },
  ];
  for (const comparison of rules) {
    const manifest = comparison ? { outputs: specs, comparison } : { outputs: specs };
    assert.equal(compareResults(manifest, outputs, lie).agree, false, JSON.stringify(comparison));
  }
});
