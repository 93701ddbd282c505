import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { builtinModels, findBuiltinModel, modelKey } from "./builtin-models.js";
import { buildMlpClassifierOnnx, mlpClassifierManifest, mlpClassifierWeights } from "./mlp-classifier.js";
import { mlpForwardReference } from "./mlp-forward-reference.js";
import { sha256Hex } from "./model-file-cache.js";
import { mulberry32 } from "./prng.js";

function assertClose(
  actual: readonly number[],
  expected: readonly number[],
  tolerance: number,
  label: string,
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  actual.forEach((a, i) => {
    const e = expected[i] ?? Number.NaN;
    assert.ok(Math.abs(a - e) <= tolerance, `${label}[${i}]: ${a} vs ${e}`);
  });
}

describe("mlp-classifier", () => {
  it("has the declared manifest", () => {
    assert.equal(mlpClassifierManifest.name, "mlp-classifier");
    assert.equal(mlpClassifierManifest.version, "1");
    assert.equal(mlpClassifierManifest.pricePerCall, "1000000");
    assert.deepEqual(mlpClassifierManifest.resources, { cpus: 0.5, memoryMb: 256, gpus: 0 });
    assert.deepEqual(mlpClassifierManifest.inputs, [{ name: "features", dtype: "float32", shape: [-1, 16] }]);
    assert.deepEqual(
      mlpClassifierManifest.outputs.map((o) => o.name),
      ["logits", "probabilities"],
    );
  });

  it("builds identical bytes every time", () => {
    const a = buildMlpClassifierOnnx();
    const b = buildMlpClassifierOnnx();
    assert.ok(a.length > 0);
    assert.deepEqual(a, b);
    assert.equal(sha256Hex(a), sha256Hex(b));
  });

  it("exports fixed float32 weights of the right shapes", () => {
    const w = mlpClassifierWeights();
    assert.deepEqual([w.w1.length, w.w1[0]?.length, w.b1.length], [16, 32, 32]);
    assert.deepEqual([w.w2.length, w.w2[0]?.length, w.b2.length], [32, 4, 4]);
    assert.deepEqual(mlpClassifierWeights(), w);
    for (const v of [...w.w1.flat(), ...w.b1, ...w.w2.flat(), ...w.b2]) {
      assert.equal(Math.fround(v), v);
      assert.ok(Math.abs(v) <= 0.25 && v !== 0);
    }
  });

  it("runs in onnxruntime and matches an independent JS forward pass", async () => {
    const session = await InferenceSession.create(buildMlpClassifierOnnx(), {
      executionProviders: ["cpu"],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
    try {
      const random = mulberry32(12345);
      const features = Array.from({ length: 3 }, () =>
        Array.from({ length: 16 }, () => Math.fround(random() * 4 - 2)),
      );
      const result = await session.run({
        features: new Tensor("float32", Float32Array.from(features.flat()), [3, 16]),
      });
      const expected = mlpForwardReference(mlpClassifierWeights(), features);
      assert.deepEqual(result.logits?.dims, [3, 4]);
      assert.deepEqual(result.probabilities?.dims, [3, 4]);
      const logits = Array.from(result.logits?.data as Float32Array);
      const probabilities = Array.from(result.probabilities?.data as Float32Array);
      assertClose(logits, expected.logits.flat(), 1e-5, "logits");
      assertClose(probabilities, expected.probabilities.flat(), 1e-5, "probabilities");
      for (let row = 0; row < 3; row++) {
        const sum = probabilities.slice(row * 4, row * 4 + 4).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-5, `row ${row} sums to ${sum}`);
      }
      // The classes are not all equally likely: the weights do something.
      assert.ok(new Set(expected.probabilities.flat().map((p) => p.toFixed(3))).size > 1);
    } finally {
      await session.release();
    }
  });
});

describe("builtinModels", () => {
  it("registers the builtin models and finds mlp-classifier@1 by name and version", () => {
    assert.deepEqual(Object.keys(builtinModels), [
      "mlp-classifier@1",
      "silero-vad@5",
      "ppocr-v4@1",
      "ppocr-v4-rec@1",
      "char-trigram-lm@1",
    ]);
    assert.equal(modelKey("mlp-classifier", "1"), "mlp-classifier@1");
    const model = findBuiltinModel("mlp-classifier", "1");
    assert.equal(model?.manifest, mlpClassifierManifest);
    assert.deepEqual(model?.build(), buildMlpClassifierOnnx());
    assert.equal(findBuiltinModel("mlp-classifier", "2"), undefined);
    assert.equal(findBuiltinModel("toString", ""), undefined);
  });
});
