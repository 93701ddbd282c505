import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ClusterError } from "../errors.js";
import { ensureModelFile, loadModelFile, sha256Hex } from "./model-file-cache.js";

describe("model file cache", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "model-cache-test-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const bytes = new TextEncoder().encode("not really onnx, but bytes are bytes");

  it("writes <cacheDir>/<sha256>.onnx, creating the directory, with no temp files left", async () => {
    const cacheDir = join(dir, "a", "b");
    const file = await ensureModelFile(cacheDir, bytes);
    assert.equal(file.sha256, sha256Hex(bytes));
    assert.match(file.sha256, /^[0-9a-f]{64}$/);
    assert.equal(file.path, join(cacheDir, `${file.sha256}.onnx`));
    assert.deepEqual(new Uint8Array(await readFile(file.path)), bytes);
    assert.deepEqual(await readdir(cacheDir), [`${file.sha256}.onnx`]);
    assert.deepEqual(await ensureModelFile(cacheDir, bytes), file);
  });

  it("survives concurrent writers of the same model", async () => {
    const cacheDir = join(dir, "concurrent");
    const files = await Promise.all(Array.from({ length: 8 }, () => ensureModelFile(cacheDir, bytes)));
    assert.equal(new Set(files.map((f) => f.path)).size, 1);
    assert.deepEqual(await readdir(cacheDir), [`${sha256Hex(bytes)}.onnx`]);
  });

  it("loads a file whose sha256 matches", async () => {
    const file = await ensureModelFile(dir, bytes);
    assert.deepEqual(new Uint8Array(await loadModelFile(file.path, file.sha256)), bytes);
    assert.deepEqual(new Uint8Array(await loadModelFile(file.path, file.sha256.toUpperCase())), bytes);
  });

  it("refuses a tampered file, and ensureModelFile repairs it", async () => {
    const file = await ensureModelFile(dir, bytes);
    await writeFile(file.path, "tampered");
    await assert.rejects(loadModelFile(file.path, file.sha256), (err: unknown) => {
      assert.ok(err instanceof ClusterError);
      assert.equal(err.code, "INTERNAL");
      assert.match(err.message, /failed its integrity check/);
      assert.match(err.message, new RegExp(`expected ${file.sha256}`));
      return true;
    });
    await ensureModelFile(dir, bytes);
    assert.deepEqual(new Uint8Array(await loadModelFile(file.path, file.sha256)), bytes);
  });

  it("reports a missing file as INTERNAL", async () => {
    await assert.rejects(
      loadModelFile(join(dir, "missing.onnx"), "0".repeat(64)),
      (err: unknown) =>
        err instanceof ClusterError && err.code === "INTERNAL" && /does not exist/.test(err.message),
    );
  });
});
