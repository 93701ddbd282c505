import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { manifestMismatch } from "./manifest-check.js";
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
