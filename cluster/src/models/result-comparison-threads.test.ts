/**
 * Honest runs agree under each builtin model's declared comparison rule: every builtin model's
 * CPU actor runs the same task input with 1, 2 and 4 intra-op threads (another machine's
 * configuration), and every run agrees with the single-threaded one under the model's manifest
 * rule; a result changed as a lying provider would change it does not. The largest difference
 * seen is reported as a diagnostic (how much room the tolerance leaves).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { InferResult, ModelManifest } from "@neurogrid/schema";
import type { ActorInstance } from "../runtime/actor-class.js";
import { createModelActor } from "../runtime/model-actor.js";
import { tensorToNested } from "../runtime/tensor.js";
import { builtinModels } from "./builtin-models.js";
import { parseImage, writeResizedChw } from "./ocr-image.js";
import { recognitionTensor } from "./ocr-recognize.js";
import { registerTestFont, renderText } from "./ocr-test-image.js";
import { mulberry32 } from "./prng.js";
import { compareResults } from "./result-comparison.js";

const THREADS = [1, 2, 4];
const never = new AbortController().signal;

function randomRows(rows: number, width: number, seed: number): number[][] {
  const random = mulberry32(seed);
  return Array.from({ length: rows }, () =>
    Array.from({ length: width }, () => Math.fround(random() * 2 - 1)),
  );
}

function wordImage(text: string, height: number) {
  return parseImage(renderText(text, height));
}

/** One task input per builtin model, and how it is called (infer, or generate for the LM). */
function taskInputs(): Record<string, { method: "infer" | "generate"; args: unknown }> {
  const word = wordImage("NEUROGRID 2026", 64);
  const det = new Float32Array(3 * 64 * 256);
  const imagenet = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;
  writeResizedChw(
    word,
    { x0: 0, y0: 0, x1: word.width, y1: word.height },
    256,
    64,
    imagenet,
    det,
    0,
    256,
    64 * 256,
  );
  const rec = recognitionTensor([{ image: word, box: { x0: 0, y0: 0, x1: word.width, y1: word.height } }]);
  const random = mulberry32(11);
  const vadWindow = Array.from({ length: 576 }, (_, i) => 0.2 * Math.sin(i / 7) + 0.01 * (random() - 0.5));
  return {
    "mlp-classifier@1": { method: "infer", args: { inputs: { features: randomRows(16, 16, 3) } } },
    "silero-vad@5": {
      method: "infer",
      args: {
        inputs: {
          input: [vadWindow],
          state: tensorToNested(new Float32Array(2 * 128), [2, 1, 128]),
          sr: 16_000,
        },
      },
    },
    "ppocr-v4@1": { method: "infer", args: { inputs: { x: tensorToNested(det, [1, 3, 64, 256]) } } },
    "ppocr-v4-rec@1": { method: "infer", args: { inputs: { x: tensorToNested(rec.data, rec.dims) } } },
    "char-trigram-lm@1": {
      method: "generate",
      args: { prompt: "Alice was ", maxTokens: 80, temperature: 0.8, seed: 42 },
    },
  };
}

async function runOnce(actor: ActorInstance, method: "infer" | "generate", args: unknown): Promise<unknown> {
  const answer = await actor.call(method, args, never);
  if (method === "infer") return (answer as InferResult).outputs;
  let last: unknown;
  for await (const item of answer as AsyncIterable<unknown>) last = item;
  const done = last as { text: string; finishReason: string };
  return { text: done.text, finishReason: done.finishReason };
}

/** What a lying provider returns: every row of every output reversed and shifted; text rotated. */
function lie(result: unknown): unknown {
  const r = result as Record<string, unknown>;
  if (typeof r.text === "string") return { ...r, text: r.text.slice(1) + r.text.slice(0, 1) };
  const shift = (v: unknown): unknown =>
    Array.isArray(v)
      ? typeof v[0] === "number"
        ? [...(v as number[])].reverse().map((x) => x + 0.25)
        : v.map(shift)
      : v;
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, shift(v)]));
}

function largestDifference(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.reduce((m: number, x, i) => Math.max(m, largestDifference(x, b[i])), 0);
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const bb = b as Record<string, unknown>;
    return Object.entries(a).reduce((m, [k, v]) => Math.max(m, largestDifference(v, bb[k])), 0);
  }
  return a === b ? 0 : Number.POSITIVE_INFINITY;
}

describe("builtin models: honest runs on different thread counts agree under the declared rule", () => {
  let cacheDir: string;
  const inputs: ReturnType<typeof taskInputs> = {};
  before(async () => {
    registerTestFont();
    cacheDir = await mkdtemp(join(tmpdir(), "comparison-threads-"));
    Object.assign(inputs, taskInputs());
  });
  after(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  for (const [key, model] of Object.entries(builtinModels)) {
    it(`${key}: ${JSON.stringify(model.manifest.comparison)}`, async (t) => {
      const manifest: ModelManifest = model.manifest;
      const input = inputs[key];
      assert.ok(input, `a task input for ${key}`);
      const results: unknown[] = [];
      for (const intraOpNumThreads of THREADS) {
        const actor = await createModelActor(
          {
            name: manifest.name,
            version: manifest.version,
            cacheDir,
            intraOpNumThreads,
            executionProviders: ["cpu"],
          },
          { actorId: `threads-${intraOpNumThreads}`, gpuIds: [], cudaVisibleDevices: "" },
        );
        try {
          results.push(await runOnce(actor, input.method, input.args));
        } finally {
          await actor.close();
        }
      }
      const [first, ...others] = results;
      others.forEach((other, i) => {
        assert.deepEqual(
          compareResults(manifest, first, other),
          { agree: true },
          `threads 1 vs ${THREADS[i + 1]}`,
        );
        t.diagnostic(`threads 1 vs ${THREADS[i + 1]}: largest difference ${largestDifference(first, other)}`);
      });
      assert.equal(compareResults(manifest, first, lie(first)).agree, false, "a lie is caught");
      assert.equal(compareResults(manifest, lie(first), first).agree, false, "either way round");
    });
  }
});
