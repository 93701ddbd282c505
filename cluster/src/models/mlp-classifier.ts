/**
 * "mlp-classifier" version "1": the project's own small model, built here rather than
 * downloaded, so every machine (and every test) has the same bytes.
 *
 *   features f32 [B,16] -> Gemm(16->32) -> Relu -> Gemm(32->4) -> logits f32 [B,4]
 *                                                               -> Softmax(axis=1) -> probabilities f32 [B,4]
 *
 * Weights are fixed: drawn from mulberry32(MLP_SEED), uniform in +-1/sqrt(fanIn) (PyTorch's
 * default Linear init), rounded to float32 so the values exported by mlpClassifierWeights() are
 * exactly the values stored in the graph. Gemm uses transB=0: y = x·W + b with W[in][out].
 */
import type { ModelManifest } from "@neurogrid/schema";
import { encodeModel, floatInitializer, node } from "./onnx-builder.js";
import { mulberry32 } from "./prng.js";

const INPUTS = 16;
const HIDDEN = 32;
const CLASSES = 4;
/** "NGRD" */
const MLP_SEED = 0x4e475244;

export const mlpClassifierManifest: ModelManifest = {
  name: "mlp-classifier",
  version: "1",
  description: `A small MLP classifier (${INPUTS} features -> ${HIDDEN} hidden ReLU units -> ${CLASSES} classes) with fixed seeded weights; returns logits and softmax probabilities.`,
  inputs: [{ name: "features", dtype: "float32", shape: [-1, INPUTS] }],
  outputs: [
    { name: "logits", dtype: "float32", shape: [-1, CLASSES] },
    { name: "probabilities", dtype: "float32", shape: [-1, CLASSES] },
  ],
  pricePerCall: "1000000",
  resources: { cpus: 0.5, memoryMb: 256, gpus: 0 },
  // A client reads the probabilities, not only the class: every value is compared. Two float32
  // GEMMs sum in a different order on another SIMD width or a GPU (TF32 on CUDA: ~1e-3 relative).
  comparison: {
    rule: "close",
    tolerances: { logits: { atol: 1e-3, rtol: 2e-3 }, probabilities: { atol: 1e-3, rtol: 2e-3 } },
  },
};

export interface MlpClassifierWeights {
  /** [16][32]: w1[i][j] connects input i to hidden unit j. */
  w1: number[][];
  /** [32] */
  b1: number[];
  /** [32][4]: w2[j][k] connects hidden unit j to class k. */
  w2: number[][];
  /** [4] */
  b2: number[];
}

/** The model's weights as plain arrays (a fresh copy each call), for independent checks. */
export function mlpClassifierWeights(): MlpClassifierWeights {
  const random = mulberry32(MLP_SEED);
  const uniform = (bound: number) => Math.fround((random() * 2 - 1) * bound);
  const matrix = (rows: number, cols: number, bound: number) =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => uniform(bound)));
  const vector = (length: number, bound: number) => Array.from({ length }, () => uniform(bound));
  const bound1 = 1 / Math.sqrt(INPUTS);
  const bound2 = 1 / Math.sqrt(HIDDEN);
  const w1 = matrix(INPUTS, HIDDEN, bound1);
  const b1 = vector(HIDDEN, bound1);
  const w2 = matrix(HIDDEN, CLASSES, bound2);
  const b2 = vector(CLASSES, bound2);
  return { w1, b1, w2, b2 };
}

/** The ONNX model bytes; identical on every call and every machine. */
export function buildMlpClassifierOnnx(): Uint8Array {
  const { w1, b1, w2, b2 } = mlpClassifierWeights();
  const m = mlpClassifierManifest;
  return encodeModel({
    name: m.name,
    docString: m.description,
    metadata: { name: m.name, version: m.version },
    inputs: m.inputs,
    outputs: m.outputs,
    initializers: [
      floatInitializer("w1", [INPUTS, HIDDEN], w1.flat()),
      floatInitializer("b1", [HIDDEN], b1),
      floatInitializer("w2", [HIDDEN, CLASSES], w2.flat()),
      floatInitializer("b2", [CLASSES], b2),
    ],
    nodes: [
      node("Gemm", ["features", "w1", "b1"], ["hidden_pre"], { transB: { int: 0 } }),
      node("Relu", ["hidden_pre"], ["hidden"]),
      node("Gemm", ["hidden", "w2", "b2"], ["logits"], { transB: { int: 0 } }),
      node("Softmax", ["logits"], ["probabilities"], { axis: { int: 1 } }),
    ],
  });
}
