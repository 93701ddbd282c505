/**
 * The builtin models as the GPU proof (gpu-proof-main.ts) feeds them: seeded inputs of any batch
 * size in the binary tensor form of `infer` (runtime/tensor-binary.ts), and how close a GPU
 * provider's outputs must come to the CPU provider's on the same inputs.
 *
 * Tolerances are the largest absolute difference allowed between any output element on the GPU
 * and on the CPU. They allow for a different order of floating-point sums (every model) and
 * for TF32 matrix products on NVIDIA GPUs (10-bit mantissa, relative error ~1e-3) in the deeper
 * convolutional models, whose outputs are probabilities or sigmoid maps in [0, 1].
 */
import { LM_VOCAB } from "../models/char-trigram-lm.js";
import { mulberry32 } from "../models/prng.js";
import { sileroVadManifest } from "../models/silero-vad.js";

interface BinaryTensor {
  dims: number[];
  base64: string;
}

export interface ProofModel {
  name: string;
  version: string;
  /** Largest |GPU - CPU| allowed for any output element. */
  tolerance: number;
  inputs(batch: number): Record<string, BinaryTensor>;
}

/** Detection input side: small enough that 64 images fit one call (3x96x96 floats each). */
const DET_SIDE = 96;
/** Recognition crop width: 48x32 crops give 4 time steps of 6,625 classes per row. */
const REC_WIDTH = 32;
/** Silero's input row: its context samples and one frame, as its manifest declares. */
const VAD_WINDOW = sileroVadManifest.inputs[0]?.shape[1] ?? 0;
const VAD_SAMPLE_RATE = 16_000;
const MLP_FEATURES = 16;

function floats(count: number, seed: number, scale = 1): BinaryTensor["base64"] {
  const random = mulberry32(seed);
  const data = Float32Array.from({ length: count }, () => (random() * 2 - 1) * scale);
  return Buffer.from(data.buffer).toString("base64");
}

function int64s(values: number[]): string {
  return Buffer.from(BigInt64Array.from(values.map((v) => BigInt(v))).buffer).toString("base64");
}

export const PROOF_MODELS: readonly ProofModel[] = [
  {
    name: "mlp-classifier",
    version: "1",
    tolerance: 1e-4,
    inputs: (b) => ({ features: { dims: [b, MLP_FEATURES], base64: floats(b * MLP_FEATURES, 1) } }),
  },
  {
    name: "silero-vad",
    version: "5",
    tolerance: 1e-3,
    inputs: (b) => ({
      input: { dims: [b, VAD_WINDOW], base64: floats(b * VAD_WINDOW, 2, 0.5) },
      state: { dims: [2, b, 128], base64: Buffer.alloc(2 * b * 128 * 4).toString("base64") },
      sr: { dims: [], base64: int64s([VAD_SAMPLE_RATE]) },
    }),
  },
  {
    name: "ppocr-v4",
    version: "1",
    tolerance: 1e-2,
    inputs: (b) => ({
      x: { dims: [b, 3, DET_SIDE, DET_SIDE], base64: floats(b * 3 * DET_SIDE * DET_SIDE, 3) },
    }),
  },
  {
    name: "ppocr-v4-rec",
    version: "1",
    tolerance: 1e-2,
    inputs: (b) => ({ x: { dims: [b, 3, 48, REC_WIDTH], base64: floats(b * 3 * 48 * REC_WIDTH, 4) } }),
  },
  {
    name: "char-trigram-lm",
    version: "1",
    tolerance: 1e-3,
    inputs: (b) => {
      const random = mulberry32(5);
      const tokens = Array.from({ length: b * 2 }, () => Math.floor(random() * LM_VOCAB.length));
      return { tokens: { dims: [b, 2], base64: int64s(tokens) } };
    },
  },
];

/** Every number of a nested-array tensor map, tensor by tensor in name order. */
export function flatOutputs(outputs: Record<string, unknown>): number[] {
  const out: number[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else out.push(Number(v));
  };
  for (const name of Object.keys(outputs).sort()) walk(outputs[name]);
  return out;
}

export function maxAbsDiff(a: number[], b: number[]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}
