/**
 * The model actor loading a registered artifact over HTTP (a real server on 127.0.0.1): it
 * infers exactly what the builtin model does, refuses bytes whose sha256 is wrong (naming both
 * hashes, nothing left in the cache), and keeps the cache under its limit without ever evicting
 * the file it is loading.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { InferResult } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { ArtifactIntegrityError } from "../models/artifact-download.js";
import { type ArtifactTestServer, startArtifactServer } from "../models/artifact-test-server.js";
import { buildCharTrigramLmOnnx } from "../models/char-trigram-lm.js";
import { buildMlpClassifierOnnx, mlpClassifierManifest } from "../models/mlp-classifier.js";
import { sha256Hex } from "../models/model-file-cache.js";
import { mulberry32 } from "../models/prng.js";
import type { ActorContext } from "./actor-class.js";
import { type ModelHealth, startModelActor } from "./model-actor.js";

const ctx: ActorContext = { actorId: "artifact-test", gpuIds: [], cudaVisibleDevices: "" };
const signal = new AbortController().signal;
const TOKEN = "nga.capability-for-this-test";

const onnx = buildMlpClassifierOnnx();
const sha256 = sha256Hex(onnx);
const manifest = { ...mlpClassifierManifest, name: "registered-mlp", version: "2.0.0" };

function features(rows: number, seed: number): number[][] {
  const random = mulberry32(seed);
  return Array.from({ length: rows }, () => Array.from({ length: 16 }, () => Math.fround(random() * 2 - 1)));
}

describe("model actor with a downloaded artifact", () => {
  let dir: string;
  let server: ArtifactTestServer;
  const served = new Map<string, Uint8Array>();
  const artifactArgs = (cacheDir: string, extra: Record<string, unknown> = {}) => ({
    name: manifest.name,
    version: manifest.version,
    manifest,
    cacheDir,
    artifact: { url: server.url(`/models/${sha256}`), sha256, token: TOKEN, ...extra },
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "model-actor-artifact-"));
    server = await startArtifactServer(served, { token: TOKEN });
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("downloads the artifact into its cache and infers exactly what the builtin model does", async () => {
    served.set(`/models/${sha256}`, onnx);
    const cacheDir = join(dir, "good");
    const downloaded = await startModelActor(artifactArgs(cacheDir), ctx);
    const builtin = await startModelActor(
      { name: "mlp-classifier", version: "1", cacheDir: join(dir, "b") },
      ctx,
    );
    try {
      const inputs = { features: features(5, 42) };
      const got = (await downloaded.call("infer", { inputs }, signal)) as InferResult;
      const want = (await builtin.call("infer", { inputs }, signal)) as InferResult;
      assert.deepEqual(got.outputs, want.outputs);
      assert.equal(got.batchSize, 5);
      const health = (await downloaded.call("health", {}, signal)) as ModelHealth;
      assert.deepEqual(health.model, { name: "registered-mlp", version: "2.0.0", sha256 });
      assert.deepEqual(await readdir(cacheDir), [`${sha256}.onnx`]);
      assert.deepEqual(downloaded.info(), { model: "registered-mlp@2.0.0", execution_provider: "cpu" });
      assert.equal(server.requests.at(-1)?.authorization, `Bearer ${TOKEN}`);
    } finally {
      await downloaded.close();
      await builtin.close();
    }
  });

  it("refuses an artifact whose bytes do not hash to its sha256, naming both, leaving nothing cached", async () => {
    const wrong = buildCharTrigramLmOnnx();
    served.set(`/models/${sha256}`, wrong);
    const cacheDir = join(dir, "tampered");
    await assert.rejects(startModelActor(artifactArgs(cacheDir), ctx), (err: unknown) => {
      assert.ok(err instanceof ArtifactIntegrityError, String(err));
      assert.equal(err.code, "INTERNAL");
      assert.match(err.message, /failed its integrity check/);
      assert.match(err.message, new RegExp(`sha256 is ${sha256Hex(wrong)}, expected ${sha256}`));
      return true;
    });
    assert.deepEqual(await readdir(cacheDir), []);
  });

  it("keeps the cache under cacheLimitBytes, least recently used out first, never the file it loads", async () => {
    served.set(`/models/${sha256}`, onnx);
    const cacheDir = join(dir, "lru");
    await mkdir(cacheDir);
    const older = `${"b".repeat(64)}.onnx`;
    const newer = `${"c".repeat(64)}.txt`;
    await writeFile(join(cacheDir, older), new Uint8Array(1000));
    await writeFile(join(cacheDir, newer), new Uint8Array(1000));
    const now = Date.now() / 1000;
    await utimes(join(cacheDir, older), now - 20, now - 20);
    await utimes(join(cacheDir, newer), now - 10, now - 10);

    const first = await startModelActor(
      artifactArgs(cacheDir, { cacheLimitBytes: onnx.byteLength + 1500 }),
      ctx,
    );
    await first.close();
    assert.deepEqual(
      (await readdir(cacheDir)).sort(),
      [`${sha256}.onnx`, newer].sort(),
      "the older file made room",
    );

    // Loaded again under a limit it alone exceeds: everything else goes, the file in use stays.
    const second = await startModelActor(artifactArgs(cacheDir, { cacheLimitBytes: 10 }), ctx);
    try {
      assert.deepEqual(await readdir(cacheDir), [`${sha256}.onnx`]);
      const result = (await second.call(
        "infer",
        { inputs: { features: features(1, 3) } },
        signal,
      )) as InferResult;
      assert.equal(result.batchSize, 1);
    } finally {
      await second.close();
    }
  });

  it("rejects artifact initArgs that are not exactly one source", async () => {
    for (const initArgs of [
      { ...artifactArgs(dir), path: "/x.onnx", sha256 },
      artifactArgs(dir, { extra: 1 }),
      artifactArgs(dir, { url: "file:///etc/passwd" }),
      artifactArgs(dir, { sha256: "abc" }),
      artifactArgs(dir, { cacheLimitBytes: 0 }),
    ]) {
      await assert.rejects(
        startModelActor(initArgs, ctx),
        (err: unknown) =>
          err instanceof ClusterError &&
          err.code === "INVALID_ARGUMENT" &&
          /^model actor initArgs: /.test(err.message),
      );
    }
  });
});
