/**
 * "char-trigram-lm" version "1": a small autoregressive language model the project builds, for
 * token streaming. Tokens are characters; the vocabulary is the sorted set of characters of
 * LM_CORPUS (lm-corpus.ts). The next character depends on the previous two.
 *
 * Counting: for every position i >= 2 of the corpus, count[(c[i-2], c[i-1])][c[i]] += 1.
 * Logits: log((count + K) / (total + K x V)) per context row (add-K smoothing, K = 1/64), so the
 * greedy choice is the most counted next character, ties to the lowest token id.
 *
 * The graph (an embedding lookup):
 *   tokens i64 [B,2] (the previous two token ids) -> Mul by [V,1] -> ReduceSum(axis 1)
 *     -> row id i64 [B] -> Gather(table f32 [V*V,V], axis 0) -> logits f32 [B,V]
 *
 * Method `generate` { prompt, maxTokens, temperature?, seed? } streams (an async generator):
 *   { index, token } for each new character, then { done: true, outputTokens, text,
 *   finishReason: "length" | "cancelled", executionProvider } (GenerateArgs and GenerateItem,
 *   the contract in @neurogrid/schema's generation-contract.ts).
 * Each step is one inference through the actor's dynamic batcher, so the steps of concurrent
 * generations share inferences (one row each). The call's AbortSignal is checked before every
 * step, and a step still waiting for its batch leaves it when cancelled, so a cancelled
 * generation runs no further step. temperature 0 (the default) is greedy; above 0 it
 * samples from softmax(logits / temperature) with mulberry32(seed): the same seed, the same text.
 * Priced per output token.
 */
import type { GenerateItem, ModelManifest } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import type { FlatTensor } from "../runtime/tensor.js";
import type { BuiltinModel } from "./builtin-model.js";
import { generationArgsSchema } from "./generation-args.js";
import { LM_CORPUS } from "./lm-corpus.js";
import { formatZodIssues } from "./manifest-schema.js";
import type { ModelRuntime } from "./model-program.js";
import { encodeModel, floatInitializer, node } from "./onnx-builder.js";
import { mulberry32 } from "./prng.js";

export const LM_VOCAB: readonly string[] = [...new Set(LM_CORPUS)].sort();
const V = LM_VOCAB.length;
const K = 1 / 64;
const LM_MAX_TOKENS = 512;

export const charTrigramLmManifest: ModelManifest = {
  name: "char-trigram-lm",
  version: "1",
  description: `A character-level trigram language model (${V} characters) counted from a public-domain paragraph (Lewis Carroll, 1865); infer gives next-character logits for the previous two token ids, generate streams characters. Built by the project.`,
  inputs: [{ name: "tokens", dtype: "int64", shape: [-1, 2] }],
  outputs: [{ name: "logits", dtype: "float32", shape: [-1, V] }],
  pricePerCall: "10000",
  pricing: { unit: "output_token", price: "10000", maxUnits: LM_MAX_TOKENS },
  batching: { maxBatchSize: 32, batchWaitTimeoutMs: 1 },
  vocabulary: [...LM_VOCAB],
  resources: { cpus: 0.25, memoryMb: 128, gpus: 0 },
  task: { kind: "generate" },
  // Tasks generate (priced per output token): the tokens, sampled with the task's seed, are the
  // result and must be identical.
  comparison: { rule: "text" },
};

/** The [V*V][V] logits table, row (a*V + b) for the context (a, b). */
function trigramLogits(): Float32Array {
  const ids = [...LM_CORPUS].map((c) => LM_VOCAB.indexOf(c));
  const counts = new Float64Array(V * V * V);
  for (let i = 2; i < ids.length; i++) {
    const at = ((ids[i - 2] as number) * V + (ids[i - 1] as number)) * V + (ids[i] as number);
    counts[at] = (counts[at] as number) + 1;
  }
  const table = new Float32Array(V * V * V);
  for (let row = 0; row < V * V; row++) {
    let total = 0;
    for (let n = 0; n < V; n++) total += counts[row * V + n] as number;
    for (let n = 0; n < V; n++)
      table[row * V + n] = Math.log(((counts[row * V + n] as number) + K) / (total + K * V));
  }
  return table;
}

export function buildCharTrigramLmOnnx(): Uint8Array {
  const m = charTrigramLmManifest;
  const strides = new Uint8Array(16);
  const view = new DataView(strides.buffer);
  view.setBigInt64(0, BigInt(V), true);
  view.setBigInt64(8, 1n, true);
  const axes = new Uint8Array(8);
  new DataView(axes.buffer).setBigInt64(0, 1n, true);
  const int64 = 7; // onnx.TensorProto.DataType.INT64
  return encodeModel({
    name: m.name,
    docString: m.description,
    metadata: { name: m.name, version: m.version, vocabulary: JSON.stringify(LM_VOCAB) },
    inputs: m.inputs,
    outputs: m.outputs,
    initializers: [
      floatInitializer("table", [V * V, V], trigramLogits()),
      { name: "strides", dims: [1, 2], dataType: int64, rawData: strides },
      { name: "axes", dims: [1], dataType: int64, rawData: axes },
    ],
    nodes: [
      node("Mul", ["tokens", "strides"], ["weighted"]),
      node("ReduceSum", ["weighted", "axes"], ["row"], { keepdims: { int: 0 } }),
      node("Gather", ["table", "row"], ["logits"], { axis: { int: 0 } }),
    ],
  });
}

const generateArgsSchema = generationArgsSchema(LM_MAX_TOKENS);

export const charTrigramLm: BuiltinModel = {
  manifest: charTrigramLmManifest,
  build: buildCharTrigramLmOnnx,
  program: (runtime) => ({ generate: (args, signal) => generate(runtime, args, signal) }),
};

/** Validates before the first item, so a bad call fails as a call, not mid-stream. */
function generate(runtime: ModelRuntime, args: unknown, signal: AbortSignal): AsyncIterable<GenerateItem> {
  const parsed = generateArgsSchema.safeParse(args);
  if (!parsed.success)
    throw new ClusterError("INVALID_ARGUMENT", `generate args: ${formatZodIssues(parsed.error)}`);
  const { prompt, maxTokens, temperature = 0, seed = 0 } = parsed.data;
  const unknown = [...prompt].find((c) => !LM_VOCAB.includes(c));
  if (unknown !== undefined) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `generate args: prompt: ${JSON.stringify(unknown)} is not in the vocabulary`,
    );
  }
  const ids = [...` ${prompt}`].slice(-2).map((c) => LM_VOCAB.indexOf(c));
  return steps(runtime, ids as [number, number], maxTokens, temperature, mulberry32(seed), signal);
}

async function* steps(
  runtime: ModelRuntime,
  context: [number, number],
  maxTokens: number,
  temperature: number,
  random: () => number,
  signal: AbortSignal,
): AsyncGenerator<GenerateItem> {
  let text = "";
  let [a, b] = context;
  const executionProvider = runtime.executionProvider;
  for (let index = 0; index < maxTokens; index++) {
    if (signal.aborted) {
      yield { done: true, outputTokens: index, text, finishReason: "cancelled", executionProvider };
      return;
    }
    const tokens: FlatTensor = { dtype: "int64", dims: [1, 2], data: BigInt64Array.of(BigInt(a), BigInt(b)) };
    let out: Record<string, FlatTensor>;
    try {
      out = (await runtime.infer({ tokens }, signal)).outputs;
    } catch (err) {
      if (!signal.aborted) throw err;
      yield { done: true, outputTokens: index, text, finishReason: "cancelled", executionProvider };
      return;
    }
    const next = choose(out.logits?.data as Float32Array, temperature, random);
    const token = LM_VOCAB[next] as string;
    text += token;
    [a, b] = [b, next];
    yield { index, token };
  }
  yield { done: true, outputTokens: maxTokens, text, finishReason: "length", executionProvider };
}

function choose(logits: Float32Array, temperature: number, random: () => number): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if ((logits[i] as number) > (logits[best] as number)) best = i;
  if (temperature === 0) return best;
  const max = logits[best] as number;
  const weights = Array.from(logits, (l) => Math.exp((l - max) / temperature));
  let r = random() * weights.reduce((x, y) => x + y, 0);
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i] as number;
    if (r < 0) return i;
  }
  return logits.length - 1;
}
