import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ClusterError } from "../errors.js";
import { sha256Hex } from "./model-file-cache.js";
import { loadArtifact, loadModel } from "./model-source.js";
import { ppocrV4 } from "./ppocr-v4.js";

describe("model source", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "model-source-test-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a package file whose sha256 is not the pinned one, naming both", async () => {
    const bytes = new TextEncoder().encode("a different model");
    await assert.rejects(
      loadArtifact(join(dir, "refused"), "demo model", {
        kind: "onnx",
        extension: ".onnx",
        load: () => bytes,
        sha256: "0".repeat(64),
      }),
      (err: unknown) =>
        err instanceof ClusterError &&
        err.code === "INTERNAL" &&
        err.message.includes(`sha256 is ${sha256Hex(bytes)}, expected ${"0".repeat(64)}`) &&
        /demo model failed its integrity check/.test(err.message),
    );
    await assert.rejects(readdir(join(dir, "refused")), /ENOENT/);
  });

  it("reports a package that is not installed as INTERNAL", async () => {
    await assert.rejects(
      loadArtifact(dir, "missing", {
        kind: "data",
        extension: ".txt",
        load: () => Promise.reject(new Error("not installed")),
      }),
      (err: unknown) => err instanceof ClusterError && /cannot read missing: not installed/.test(err.message),
    );
  });

  it("loads a pretrained model and its companions through the cache, each verified", async () => {
    const model = await loadModel({ name: "ppocr-v4", version: "1", cacheDir: join(dir, "ocr") });
    assert.equal(model.sha256, ppocrV4.sha256);
    assert.deepEqual(Object.keys(model.companions), ["rec", "keys"]);
    assert.equal(model.companions.rec?.sha256, ppocrV4.companions?.rec?.sha256);
    assert.equal(model.companions.keys?.kind, "data");
    assert.ok(model.companions.keys?.path.endsWith(".txt"));
    assert.equal(typeof model.program, "function");
  });
});
