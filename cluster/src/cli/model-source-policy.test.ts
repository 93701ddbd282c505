/**
 * What a worker lets a driver put in a model actor's start arguments, with real processes on
 * loopback: a head, a worker with its own model cache and artifact origin (a real HTTP server
 * that serves the artifact to the holder of its token, as the api does). A start naming a
 * cacheDir, a path outside the worker's cache, a foreign URL, or a token for another artifact
 * or past its expiry is refused with PERMISSION_DENIED and no request leaves the worker; a
 * builtin model and an artifact from the worker's origin with a valid token start and answer.
 * A model mux on that worker holds each call's model reference to the same rules.
 * Every process this file starts is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ActorSpec, signArtifactToken } from "@neurogrid/schema";
import { ClusterClient, isClusterError } from "../index.js";
import { type ArtifactTestServer, startArtifactServer } from "../models/artifact-test-server.js";
import { buildMlpClassifierOnnx, mlpClassifierManifest, sha256Hex } from "../models/index.js";
import { startTestCluster, type TestCluster } from "./testing/test-cluster.js";

const NAMESPACE = "start-args-policy";
const SECRET = "artifact-secret-of-the-test-api";
const HOUR_MS = 60 * 60 * 1000;
const FEATURES = mlpClassifierManifest.inputs[0]?.shape[1] as number;

describe("model actor start arguments, refused or taken by the worker", { timeout: 180_000 }, () => {
  const onnx = buildMlpClassifierOnnx();
  const sha = sha256Hex(onnx);
  const otherSha = "ab".repeat(32);
  const manifest = { ...mlpClassifierManifest, name: "policy-mlp", version: "1" };
  let cluster: TestCluster;
  let client: ClusterClient;
  let server: ArtifactTestServer;
  let cacheDir: string;
  let origin: string;
  let valid: string;

  function model(name: string, initArgs: Record<string, unknown>): ActorSpec {
    const resources = { cpus: 0.5, memoryMb: 256, gpus: 0, custom: {} };
    return { name, namespace: NAMESPACE, className: "model", initArgs, resources, maxRestarts: 0 };
  }

  function token(forSha: string, expiresAt: Date): string {
    return signArtifactToken(SECRET, forSha, expiresAt);
  }

  async function refusal(spec: ActorSpec): Promise<string> {
    const before = server.requests.length;
    try {
      const handle = await client.getOrCreateActor(spec, { timeoutMs: 60_000 });
      cluster.trackActor(handle.info.pid);
      assert.fail(`${spec.name} started: ${JSON.stringify(handle.info)}`);
    } catch (err) {
      assert.ok(isClusterError(err), String(err));
      assert.equal(err.code, "PERMISSION_DENIED", err.message);
      assert.equal(server.requests.length, before, "the worker made no request for a refused start");
      return err.message;
    }
  }

  async function infers(spec: ActorSpec): Promise<void> {
    const handle = await client.getOrCreateActor(spec, { timeoutMs: 60_000 });
    cluster.trackActor(handle.info.pid);
    const result = await handle.call<{ outputs: { probabilities: number[][] } }>("infer", {
      inputs: { features: [new Array(FEATURES).fill(0.5)] },
    });
    assert.equal(result.outputs.probabilities.length, 1);
  }

  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "start-args-policy-"));
    valid = token(sha, new Date(Date.now() + HOUR_MS));
    server = await startArtifactServer(new Map([[`/models/${sha}`, onnx]]), { token: valid });
    origin = server.url("");
    cluster = await startTestCluster({
      workers: {
        p1: [
          "--cpus",
          "4",
          "--memory-mb",
          "4096",
          "--actor-pool-size",
          "0",
          "--model-cache-dir",
          cacheDir,
          "--artifact-origin",
          origin,
        ],
      },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 60_000 });
  });

  after(async () => {
    client?.close();
    await cluster?.stop();
    await server?.close();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  it("refuses a cacheDir, and a path outside the worker's own cache", async () => {
    assert.match(
      await refusal(model("cache-dir", { name: "mlp-classifier", version: "1", cacheDir: tmpdir() })),
      /cacheDir refused/,
    );
    const elsewhere = { name: "policy-mlp", version: "1", manifest, sha256: sha };
    assert.match(
      await refusal(model("path", { ...elsewhere, path: join(tmpdir(), `${sha}.onnx`) })),
      /path refused: a model file is loaded only from the worker's own cache/,
    );
    assert.match(
      await refusal(model("dotdot", { ...elsewhere, path: join(cacheDir, "..", `${sha}.onnx`) })),
      /path refused/,
    );
  });

  it("refuses an artifact from another URL, or with a token for another artifact or past its expiry", async () => {
    const args = (artifact: Record<string, unknown>) => ({
      name: "policy-mlp",
      version: "1",
      manifest,
      artifact,
    });
    const hour = new Date(Date.now() + HOUR_MS);
    const url = `${origin}/models/${sha}`;
    for (const foreign of [
      `http://169.254.169.254/models/${sha}`,
      `${origin}/elsewhere/${sha}`,
      `${origin}/models/${otherSha}`,
    ]) {
      assert.match(
        await refusal(
          model(`foreign-${foreign.length}`, args({ url: foreign, sha256: sha, token: token(sha, hour) })),
        ),
        /artifact\.url refused: artifacts come only from this worker's artifact origin/,
        foreign,
      );
    }
    assert.match(
      await refusal(model("other-sha", args({ url, sha256: sha, token: token(otherSha, hour) }))),
      new RegExp(`artifact\\.token refused: the token is for artifact ${otherSha}`),
    );
    assert.match(
      await refusal(
        model("expired", args({ url, sha256: sha, token: token(sha, new Date(Date.now() - 1000)) })),
      ),
      /artifact\.token refused: the token expired at/,
    );
    assert.match(
      await refusal(model("no-token", args({ url, sha256: sha }))),
      /artifact\.token refused: an api-signed artifact token is required/,
    );
  });

  it("starts an artifact from its origin with a valid token, a builtin, and a file of its own cache", async () => {
    const url = `${origin}/models/${sha}`;
    const artifact = { url, sha256: sha, token: valid };
    await infers(model("artifact", { name: "policy-mlp", version: "1", manifest, artifact }));
    assert.deepEqual(
      server.requests.map((r) => r.path),
      [`/models/${sha}`],
      "the one download was from the worker's own origin",
    );
    const builtin = await client.getOrCreateActor(
      model("builtin", { name: "char-trigram-lm", version: "1" }),
      {
        timeoutMs: 60_000,
      },
    );
    cluster.trackActor(builtin.info.pid);
    assert.equal(builtin.info.state, "ALIVE");
    assert.ok((await readdir(cacheDir)).length >= 2, "the builtin was cached in --model-cache-dir");
    const own = join(cacheDir, `${sha}.onnx`);
    await infers(model("own-file", { name: "policy-mlp", version: "1", manifest, path: own, sha256: sha }));
  });

  it("holds a model mux's per-call model references to the same rules", async () => {
    const spec = { ...model("mux", { maxModels: 2 }), className: "model-mux" };
    const mux = await client.getOrCreateActor(spec, { timeoutMs: 60_000 });
    cluster.trackActor(mux.info.pid);
    const inputs = { features: [new Array(FEATURES).fill(0.5)] };
    const denied = async (ref: Record<string, unknown>) => {
      const before = server.requests.length;
      const err = await mux.call("infer", { model: ref, inputs }).then(
        () => assert.fail("the call ran"),
        (e: unknown) => e,
      );
      assert.ok(isClusterError(err), String(err));
      assert.equal(err.code, "PERMISSION_DENIED", err.message);
      assert.equal(server.requests.length, before, "no request for a refused reference");
      return err.message;
    };
    const ref = { name: "policy-mlp", version: "1", manifest };
    assert.match(
      await denied({ ...ref, path: join(tmpdir(), `${sha}.onnx`), sha256: sha }),
      /model\.path refused/,
    );
    assert.match(
      await denied({
        ...ref,
        artifact: { url: `http://169.254.169.254/models/${sha}`, sha256: sha, token: valid },
      }),
      /model\.artifact\.url refused/,
    );
    const result = await mux.call<{ model: string }>("infer", { model: "mlp-classifier@1", inputs });
    assert.equal(result.model, "mlp-classifier@1");
  });
});
