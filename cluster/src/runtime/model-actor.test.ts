import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { InferResult } from "@neurogrid/schema";
import { ClusterError, type ClusterErrorCode } from "../errors.js";
import {
  buildMlpClassifierOnnx,
  mlpClassifierManifest,
  mlpClassifierWeights,
} from "../models/mlp-classifier.js";
import { mlpForwardReference } from "../models/mlp-forward-reference.js";
import { ensureModelFile } from "../models/model-file-cache.js";
import { mulberry32 } from "../models/prng.js";
import type { ActorContext, ActorInstance } from "./actor-class.js";
import { createModelActor, type ModelHealth, startModelActor } from "./model-actor.js";

const ctx: ActorContext = { actorId: "model-test", gpuIds: [], cudaVisibleDevices: "" };
const signal = new AbortController().signal;

function isClusterErrorWith(code: ClusterErrorCode, message?: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof ClusterError, `expected a ClusterError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  };
}

function randomBatch(size: number, seed: number): number[][] {
  const random = mulberry32(seed);
  return Array.from({ length: size }, () => Array.from({ length: 16 }, () => Math.fround(random() * 2 - 1)));
}

describe("model actor", () => {
  let cacheDir: string;
  let actor: ActorInstance;
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "model-actor-test-"));
    actor = await createModelActor({ name: "mlp-classifier", version: "1", cacheDir }, ctx);
  });
  after(async () => {
    await actor.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("runs infer on the CPU provider here and returns the model's outputs", async () => {
    const features = randomBatch(3, 7);
    const result = (await actor.call("infer", { inputs: { features } }, signal)) as InferResult;
    const expected = mlpForwardReference(mlpClassifierWeights(), features);
    assert.equal(result.executionProvider, "cpu");
    assert.equal(result.batchSize, 3);
    assert.ok(result.inferenceMs >= 0 && Number.isFinite(result.inferenceMs));
    assert.deepEqual(Object.keys(result.outputs), ["logits", "probabilities"]);
    const logits = result.outputs.logits as number[][];
    const probabilities = result.outputs.probabilities as number[][];
    assert.equal(logits.length, 3);
    logits.forEach((row, i) => {
      row.forEach((v, j) => {
        assert.ok(Math.abs(v - (expected.logits[i]?.[j] ?? Number.NaN)) < 1e-5);
      });
    });
    for (const row of probabilities) {
      assert.equal(row.length, 4);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    }
    // Plain JSON-able numbers, not typed arrays.
    assert.ok(Array.isArray(logits[0]));
    assert.deepEqual(JSON.parse(JSON.stringify(result.outputs)), result.outputs);
  });

  it("answers manifest and health", async () => {
    assert.deepEqual(await actor.call("manifest", {}, signal), mlpClassifierManifest);
    const health = (await actor.call("health", {}, signal)) as ModelHealth;
    assert.equal(health.executionProvider, "cpu");
    assert.equal(
      health.reason,
      "cpu: not cuda: no GPU assigned to this actor; not webgpu: no GPU assigned to this actor",
    );
    assert.equal(health.model.name, "mlp-classifier");
    assert.equal(health.model.version, "1");
    assert.match(health.model.sha256, /^[0-9a-f]{64}$/);
  });

  it("rejects a wrong shape, a missing input, NaN and bad args with INVALID_ARGUMENT", async () => {
    await assert.rejects(
      actor.call("infer", { inputs: { features: [[1, 2, 3]] } }, signal),
      isClusterErrorWith("INVALID_ARGUMENT", /^features: expected shape \[-1,16\], got \[1,3\]$/),
    );
    await assert.rejects(
      actor.call("infer", { inputs: {} }, signal),
      isClusterErrorWith("INVALID_ARGUMENT", /^features: missing input/),
    );
    const withNaN = randomBatch(2, 1);
    withNaN[1]?.splice(5, 1, Number.NaN);
    await assert.rejects(
      actor.call("infer", { inputs: { features: withNaN } }, signal),
      isClusterErrorWith("INVALID_ARGUMENT", /^features\[1\]\[5\]: expected a finite number, got NaN$/),
    );
    await assert.rejects(
      actor.call("infer", "features", signal),
      isClusterErrorWith("INVALID_ARGUMENT", /^infer args: /),
    );
    await assert.rejects(
      actor.call("infer", { inputs: { features: randomBatch(1, 2) }, extra: 1 }, signal),
      isClusterErrorWith("INVALID_ARGUMENT"),
    );
  });

  it("answers an unknown method with UNIMPLEMENTED", async () => {
    await assert.rejects(
      actor.call("train", {}, signal),
      isClusterErrorWith("UNIMPLEMENTED", /no method "train"/),
    );
  });

  it("does not run a call whose signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      actor.call("infer", { inputs: { features: randomBatch(1, 3) } }, controller.signal),
      isClusterErrorWith("CANCELLED"),
    );
  });

  it("serves concurrent calls", async () => {
    const results = (await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        actor.call("infer", { inputs: { features: randomBatch(1 + (i % 4), i) } }, signal),
      ),
    )) as InferResult[];
    results.forEach((r, i) => {
      assert.equal(r.batchSize, 1 + (i % 4));
    });
  });
});

describe("model actor start-up", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "model-actor-start-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads a model file given by path and sha256", async () => {
    const file = await ensureModelFile(join(dir, "given"), buildMlpClassifierOnnx());
    const actor = await createModelActor(
      { name: "mlp-classifier", version: "1", ...file, intraOpNumThreads: 2 },
      ctx,
    );
    try {
      const health = (await actor.call("health", {}, signal)) as ModelHealth;
      assert.equal(health.model.sha256, file.sha256);
    } finally {
      await actor.close();
    }
  });

  it("refuses a tampered model file (sha256 mismatch)", async () => {
    const file = await ensureModelFile(join(dir, "tampered"), buildMlpClassifierOnnx());
    const tampered = buildMlpClassifierOnnx();
    tampered.set([(tampered[tampered.length - 10] ?? 0) ^ 0xff], tampered.length - 10);
    await writeFile(file.path, tampered);
    await assert.rejects(
      createModelActor({ name: "mlp-classifier", version: "1", ...file }, ctx),
      isClusterErrorWith("INTERNAL", /failed its integrity check/),
    );
  });

  it("rejects bad initArgs with INVALID_ARGUMENT", async () => {
    for (const initArgs of [
      undefined,
      { name: "mlp-classifier" },
      { name: "mlp-classifier", version: "1", path: "/x.onnx" },
      { name: "mlp-classifier", version: "1", sha256: "abc", path: "/x.onnx" },
      { name: "mlp-classifier", version: "1", executionProviders: ["tpu"] },
      { name: "mlp-classifier", version: "1", executionProviders: [] },
      { name: "mlp-classifier", version: "1", intraOpNumThreads: 0 },
      { name: "mlp-classifier", version: "1", unknownOption: true },
    ]) {
      await assert.rejects(
        createModelActor(initArgs, ctx),
        isClusterErrorWith("INVALID_ARGUMENT", /^model actor initArgs: /),
      );
    }
  });

  it("refuses an unknown model without a manifest", async () => {
    await assert.rejects(
      createModelActor({ name: "nope", version: "1", cacheDir: dir }, ctx),
      isClusterErrorWith("INVALID_ARGUMENT", /nope@1 is not a builtin model \(mlp-classifier@1, /),
    );
  });

  it("refuses a file that does not match the manifest", async () => {
    const file = await ensureModelFile(join(dir, "mismatch"), buildMlpClassifierOnnx());
    const manifest = {
      ...mlpClassifierManifest,
      name: "other",
      inputs: [{ name: "features", dtype: "float32" as const, shape: [-1, 8] }],
    };
    await assert.rejects(
      createModelActor({ name: "other", version: "1", ...file, manifest }, ctx),
      isClusterErrorWith(
        "INTERNAL",
        /does not match its manifest: input features has shape \[\?,16\] in the graph, \[-1,8\]/,
      ),
    );
  });

  it("fails to start, not pretend, when only CUDA is allowed and unusable", async () => {
    await assert.rejects(
      startModelActor(
        { name: "mlp-classifier", version: "1", cacheDir: dir, executionProviders: ["cuda"] },
        ctx,
        {
          probeCuda: async () => ({ ok: true }),
          probeWebgpu: async () => ({ ok: true }),
        },
      ),
      isClusterErrorWith("INTERNAL", /no usable execution provider in \[cuda\]/),
    );
  });
});
