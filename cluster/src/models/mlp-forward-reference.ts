/**
 * An independent forward pass of mlp-classifier in plain JS (float64), from the exported
 * weights. Tests compare onnxruntime's output with it; nothing at run time uses it.
 */
import type { MlpClassifierWeights } from "./mlp-classifier.js";

export function mlpForwardReference(
  weights: MlpClassifierWeights,
  features: readonly (readonly number[])[],
): { logits: number[][]; probabilities: number[][] } {
  const dense = (x: readonly number[], w: number[][], b: number[]) =>
    b.map((bias, j) => x.reduce((sum, xi, i) => sum + xi * (w[i]?.[j] ?? Number.NaN), bias));
  const logits = features.map((row) =>
    dense(
      dense(row, weights.w1, weights.b1).map((v) => Math.max(0, v)),
      weights.w2,
      weights.b2,
    ),
  );
  const probabilities = logits.map((row) => {
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  });
  return { logits, probabilities };
}
