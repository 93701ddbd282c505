import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { manifestMismatch } from "./manifest-check.js";
import { modelManifestSchema } from "./manifest-schema.js";
import { mlpClassifierManifest } from "./mlp-classifier.js";

const graph = {
  inputs: [{ name: "features", isTensor: true, type: "float32", shape: ["batch", 16] }],
  outputs: [
    { name: "logits", isTensor: true, type: "float32", shape: ["batch", 4] },
    { name: "probabilities", isTensor: true, type: "float32", shape: ["batch", 4] },
  ],
};

describe("manifestMismatch", () => {
  it("accepts a graph that agrees with the manifest", () => {
    assert.equal(manifestMismatch(mlpClassifierManifest, graph), undefined);
  });

  it("refuses a graph whose dynamic dimension is fixed", () => {
    const fixed = {
      ...graph,
      inputs: [{ name: "features", isTensor: true, type: "float32", shape: [1, 16] }],
    };
    assert.match(
      manifestMismatch(mlpClassifierManifest, fixed) ?? "",
      /shape \[1,16\] in the graph, \[-1,16\]/,
    );
  });

  it("accepts a manifest that fixes a dimension the graph leaves symbolic", () => {
    const open = {
      ...graph,
      inputs: [{ name: "features", isTensor: true, type: "float32", shape: ["batch", "width"] }],
    };
    assert.equal(manifestMismatch(mlpClassifierManifest, open), undefined);
  });

  it("names missing tensors, wrong dtypes and wrong shapes", () => {
    const wrong = {
      inputs: [{ name: "features", isTensor: true, type: "int64", shape: ["batch", 8] }],
      outputs: [{ name: "logits", isTensor: true, type: "float32", shape: ["batch", 4] }],
    };
    const message = manifestMismatch(mlpClassifierManifest, wrong) ?? "";
    assert.match(message, /input features is int64 in the graph, float32 in the manifest/);
    assert.match(message, /input features has shape \[\?,8\] in the graph, \[-1,16\] in the manifest/);
    assert.match(message, /output probabilities is not in the graph/);
    assert.doesNotMatch(message, /output logits/);
  });
});

describe("modelManifestSchema", () => {
  it("takes an execution-provider preference, and refuses an unknown or repeated provider", () => {
    const manifest = { ...mlpClassifierManifest, executionProviders: ["cuda", "cpu"] };
    assert.deepEqual(modelManifestSchema.parse(manifest), manifest);
    for (const bad of [["gpu"], ["cpu", "cpu"], []]) {
      assert.equal(
        modelManifestSchema.safeParse({ ...manifest, executionProviders: bad }).success,
        false,
        String(bad),
      );
    }
  });

  it("takes optional batching limits and metered pricing, and checks them", () => {
    const manifest = {
      ...mlpClassifierManifest,
      batching: { maxBatchSize: 32, batchWaitTimeoutMs: 2 },
      pricing: { unit: "output_token", price: "10", maxUnits: 512 },
    };
    assert.deepEqual(modelManifestSchema.parse(manifest), manifest);
    assert.equal(
      modelManifestSchema.safeParse({ ...manifest, batching: { maxBatchSize: 0, batchWaitTimeoutMs: 2 } })
        .success,
      false,
    );
    assert.equal(
      modelManifestSchema.safeParse({ ...manifest, pricing: { unit: "token", price: "1", maxUnits: 1 } })
        .success,
      false,
    );
  });
});
