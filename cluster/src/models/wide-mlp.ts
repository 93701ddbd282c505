/**
 * A wide MLP whose weights dominate its cost: the serving benchmark's model
 * (bench/serving-bench.ts). At batch 1 every call streams all of the weights (tens of MB, more
 * than the CPU caches hold) from memory to multiply them by one row: memory-bound, as a large
 * model's decode step is on a GPU. A batch of B rows reads the weights once for B rows, so
 * batching amortises that traffic until the arithmetic becomes the limit.
 *
 *   x f32 [B,inputs] -> Gemm(inputs->hidden) -> Relu -> Gemm(hidden->hidden) -> Relu
 *                    -> Gemm(hidden->outputs) -> y f32 [B,outputs]
 *
 * Weights are seeded (mulberry32), uniform in +-1/sqrt(fanIn), so the bytes are the same on
 * every machine. Not a builtin model: the benchmark builds it and serves it through the model
 * file cache with its manifest (path + sha256), as an operator-registered model would be.
 */
import type { ModelManifest } from "@neurogrid/schema";
import { encodeModel, floatInitializer, node } from "./onnx-builder.js";
import { mulberry32 } from "./prng.js";

export interface WideMlpShape {
  inputs: number;
  hidden: number;
  outputs: number;
}

export const DEFAULT_WIDE_MLP: WideMlpShape = { inputs: 256, hidden: 3072, outputs: 64 };

export function wideMlpManifest(shape: WideMlpShape = DEFAULT_WIDE_MLP): ModelManifest {
  const mb = Math.round((wideMlpParameters(shape) * 4) / 2 ** 20);
  return {
    name: "wide-mlp",
    version: `${shape.inputs}x${shape.hidden}x${shape.outputs}`,
    description: `A wide MLP (${shape.inputs} -> ${shape.hidden} -> ${shape.hidden} -> ${shape.outputs}, ReLU) with seeded weights (${mb} MB): memory-bound at batch 1; the serving benchmark's model.`,
    inputs: [{ name: "x", dtype: "float32", shape: [-1, shape.inputs] }],
    outputs: [{ name: "y", dtype: "float32", shape: [-1, shape.outputs] }],
    pricePerCall: "1000",
    batching: { maxBatchSize: 64, batchWaitTimeoutMs: 2 },
    resources: { cpus: 1, memoryMb: 512, gpus: 0 },
  };
}

function wideMlpParameters({ inputs, hidden, outputs }: WideMlpShape): number {
  return inputs * hidden + hidden + hidden * hidden + hidden + hidden * outputs + outputs;
}

export function buildWideMlpOnnx(shape: WideMlpShape = DEFAULT_WIDE_MLP): Uint8Array {
  const random = mulberry32(0x57494445); // "WIDE"
  const layer = (fanIn: number, fanOut: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (random() * 2 - 1) * bound;
    const b = new Float32Array(fanOut);
    for (let i = 0; i < b.length; i++) b[i] = (random() * 2 - 1) * bound;
    return { w, b };
  };
  const l1 = layer(shape.inputs, shape.hidden);
  const l2 = layer(shape.hidden, shape.hidden);
  const l3 = layer(shape.hidden, shape.outputs);
  const m = wideMlpManifest(shape);
  return encodeModel({
    name: m.name,
    docString: m.description,
    metadata: { name: m.name, version: m.version },
    inputs: m.inputs,
    outputs: m.outputs,
    initializers: [
      floatInitializer("w1", [shape.inputs, shape.hidden], l1.w),
      floatInitializer("b1", [shape.hidden], l1.b),
      floatInitializer("w2", [shape.hidden, shape.hidden], l2.w),
      floatInitializer("b2", [shape.hidden], l2.b),
      floatInitializer("w3", [shape.hidden, shape.outputs], l3.w),
      floatInitializer("b3", [shape.outputs], l3.b),
    ],
    nodes: [
      node("Gemm", ["x", "w1", "b1"], ["h1_pre"]),
      node("Relu", ["h1_pre"], ["h1"]),
      node("Gemm", ["h1", "w2", "b2"], ["h2_pre"]),
      node("Relu", ["h2_pre"], ["h2"]),
      node("Gemm", ["h2", "w3", "b3"], ["y"]),
    ],
  });
}
