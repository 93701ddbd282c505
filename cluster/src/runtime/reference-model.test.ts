/**
 * The reference a platform computes known answers with (reference-model.ts) answers as a model
 * actor does: a generation's text for the same arguments (its seed included) is the actor's, run
 * with another thread count; a tensor model's outputs agree under the model's rule.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { GenerateItem, InferResult } from "@neurogrid/schema";
import { generationResult } from "../models/generation-result.js";
import { mlpClassifierManifest } from "../models/mlp-classifier.js";
import { compareResults } from "../models/result-comparison.js";
import { createModelActor } from "./model-actor.js";
import { openReferenceModel } from "./reference-model.js";

const never = new AbortController().signal;
const ctx = { actorId: "reference-test", gpuIds: [], cudaVisibleDevices: "" };

describe("the platform's reference model answers as an actor does", () => {
  let cacheDir: string;
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "reference-model-"));
  });
  after(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("char-trigram-lm: the same text for the same prompt and seed", async () => {
    const args = { prompt: "Alice ", maxTokens: 24, temperature: 0.8, seed: 1234 };
    const reference = await openReferenceModel({ name: "char-trigram-lm", version: "1", cacheDir });
    const actor = await createModelActor(
      { name: "char-trigram-lm", version: "1", cacheDir, intraOpNumThreads: 2, executionProviders: ["cpu"] },
      ctx,
    );
    try {
      const expected = await reference.generate(args);
      assert.equal(expected.text.length, 24);
      const got = await generationResult(
        (await actor.call("generate", args, never)) as AsyncIterable<GenerateItem>,
      );
      assert.deepEqual(got, expected);
      const other = await reference.generate({ ...args, seed: 99 });
      assert.notEqual(other.text, expected.text, "another seed, another text");
    } finally {
      await reference.close();
      await actor.close();
    }
  });

  it("mlp-classifier: outputs that agree under the model's rule", async () => {
    const inputs = { features: [Array.from({ length: 16 }, (_, i) => Math.sin(i))] };
    const reference = await openReferenceModel({ name: "mlp-classifier", version: "1", cacheDir });
    const actor = await createModelActor(
      { name: "mlp-classifier", version: "1", cacheDir, intraOpNumThreads: 2, executionProviders: ["cpu"] },
      ctx,
    );
    try {
      const expected = await reference.infer(inputs);
      const got = ((await actor.call("infer", { inputs }, never)) as InferResult).outputs;
      assert.deepEqual(compareResults(mlpClassifierManifest, expected, got), { agree: true });
    } finally {
      await reference.close();
      await actor.close();
    }
  });
});
