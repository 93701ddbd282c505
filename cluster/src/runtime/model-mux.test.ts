/**
 * The model mux in this process, with real onnxruntime sessions: three builtin models served by
 * one mux with maxModels 2 answer exactly as dedicated model actors do, resident models are
 * released least recently used first, a model with a call in flight is never released, and a
 * downloaded artifact goes through the same integrity check as in the model actor.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { InferResult, MuxInferResult } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { ArtifactIntegrityError } from "../models/artifact-download.js";
import { type ArtifactTestServer, startArtifactServer } from "../models/artifact-test-server.js";
import { buildCharTrigramLmOnnx } from "../models/char-trigram-lm.js";
import { buildMlpClassifierOnnx, mlpClassifierManifest } from "../models/mlp-classifier.js";
import { sha256Hex } from "../models/model-file-cache.js";
import { mulberry32 } from "../models/prng.js";
import type { ActorContext, ActorInstance } from "./actor-class.js";
import { startModelActor } from "./model-actor.js";
import { type MuxHealth, startModelMux } from "./model-mux.js";

const ctx: ActorContext = { actorId: "mux-test", gpuIds: [], cudaVisibleDevices: "" };
const signal = new AbortController().signal;

const MLP = "mlp-classifier@1";
const LM = "char-trigram-lm@1";
const VAD = "silero-vad@5";

function mlpInputs(seed: number) {
  const random = mulberry32(seed);
  return {
    features: Array.from({ length: 3 }, () =>
      Array.from({ length: 16 }, () => Math.fround(random() * 2 - 1)),
    ),
  };
}
const lmInputs = {
  tokens: [
    [1, 2],
    [3, 4],
    [5, 6],
  ],
};
const vadInputs = {
  input: [Array.from({ length: 576 }, (_, i) => Math.fround(Math.sin(i / 9) * 0.3))],
  state: [[new Array(128).fill(0)], [new Array(128).fill(0)]],
  sr: 16000,
};
const inputsOf: Record<string, unknown> = { [MLP]: mlpInputs(7), [LM]: lmInputs, [VAD]: vadInputs };

function isClusterErrorWith(code: string, message: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof ClusterError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  };
}

describe("model mux", () => {
  let dir: string;
  const dedicated = new Map<string, InferResult>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "model-mux-test-"));
    for (const id of [MLP, LM, VAD]) {
      const [name, version] = id.split("@") as [string, string];
      const actor = await startModelActor({ name, version, cacheDir: dir }, ctx);
      try {
        dedicated.set(id, (await actor.call("infer", { inputs: inputsOf[id] }, signal)) as InferResult);
      } finally {
        await actor.close();
      }
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("serves three builtin models with maxModels 2 exactly as dedicated actors, releasing the least recently used", async () => {
    const mux = await startModelMux({ maxModels: 2, cacheDir: dir }, ctx);
    const infer = async (id: string) => {
      const result = (await mux.call("infer", { model: id, inputs: inputsOf[id] }, signal)) as MuxInferResult;
      assert.equal(result.model, id);
      assert.equal(result.executionProvider, "cpu");
      assert.deepEqual(result.outputs, dedicated.get(id)?.outputs, `${id} answers as its own actor`);
      return mux.call("loaded", {}, signal);
    };
    try {
      assert.deepEqual(await infer(MLP), [MLP]);
      assert.deepEqual(await infer(LM), [MLP, LM]);
      assert.deepEqual(await infer(VAD), [LM, VAD], "the mlp, least recently used, is released");
      assert.deepEqual(await infer(LM), [VAD, LM], "a use makes it most recent");
      assert.deepEqual(await infer(MLP), [LM, MLP], "so vad goes next, and the mlp comes back");
      const health = (await mux.call("health", {}, signal)) as MuxHealth;
      assert.equal(health.loads, 4);
      assert.equal(health.evictions, 2);
      assert.deepEqual(
        health.models.map((m) => [m.id, m.inFlight]),
        [
          [LM, 0],
          [MLP, 0],
        ],
      );
      assert.equal(health.models[1]?.sha256, sha256Hex(buildMlpClassifierOnnx()));
      assert.deepEqual(mux.info(), { model: "2 models", execution_provider: "cpu" });
    } finally {
      await mux.close();
    }
  });

  it("never releases a model with a call in flight", async () => {
    // The mlp's calls wait 5 s in its batcher for company: a call that stays in flight.
    const slowMlp = {
      name: "mlp-classifier",
      version: "1",
      batching: { maxBatchSize: 64, batchWaitTimeoutMs: 5000 },
    };
    const mux = await startModelMux(
      {
        maxModels: 2,
        cacheDir: dir,
        models: [slowMlp, { name: "char-trigram-lm", version: "1" }, { name: "silero-vad", version: "5" }],
      },
      ctx,
    );
    try {
      let settled = false;
      const slow = (
        mux.call("infer", { model: MLP, inputs: inputsOf[MLP] }, signal) as Promise<MuxInferResult>
      ).finally(() => {
        settled = true;
      });
      while (!((await mux.call("loaded", {}, signal)) as string[]).includes(MLP)) await sleep(5);
      await mux.call("infer", { model: LM, inputs: lmInputs }, signal);
      await mux.call("infer", { model: { name: "silero-vad", version: "5" }, inputs: vadInputs }, signal);
      assert.equal(settled, false, "the mlp's call is still in flight");
      const health = (await mux.call("health", {}, signal)) as MuxHealth;
      assert.deepEqual(
        health.models.map((m) => [m.id, m.inFlight]),
        [
          [MLP, 1],
          [VAD, 0],
        ],
        "the trigram LM was released instead of the older, busy mlp",
      );
      const result = await slow;
      assert.deepEqual(result.outputs, dedicated.get(MLP)?.outputs);
      assert.deepEqual(await mux.call("loaded", {}, signal), [MLP, VAD]);
    } finally {
      await mux.close();
    }
  });

  it("serves only its allow-list when it has one, and refuses other bytes under a resident id", async () => {
    const onnx = buildMlpClassifierOnnx();
    const mux = await startModelMux(
      { maxModels: 2, cacheDir: dir, models: [{ name: "mlp-classifier", version: "1" }] },
      ctx,
    );
    try {
      await assert.rejects(
        mux.call("infer", { model: LM, inputs: lmInputs }, signal),
        isClusterErrorWith(
          "INVALID_ARGUMENT",
          /char-trigram-lm@1 is not served by this mux \(mlp-classifier@1\)/,
        ),
      );
      await mux.call("infer", { model: MLP, inputs: inputsOf[MLP] }, signal);
      await assert.rejects(
        mux.call(
          "infer",
          {
            model: { name: "mlp-classifier", version: "1", path: "/x.onnx", sha256: "0".repeat(64) },
            inputs: {},
          },
          signal,
        ),
        isClusterErrorWith(
          "INVALID_ARGUMENT",
          new RegExp(
            `asked for with sha256 ${"0".repeat(64)}, but it is resident with sha256 ${sha256Hex(onnx)}`,
          ),
        ),
      );
      await assert.rejects(
        mux.call("infer", { model: MLP, inputs: { features: [[1]] } }, signal),
        isClusterErrorWith("INVALID_ARGUMENT", /^features: expected shape/),
      );
      await assert.rejects(
        mux.call("train", {}, signal),
        isClusterErrorWith("UNIMPLEMENTED", /no method "train"/),
      );
    } finally {
      await mux.close();
    }
  });

  it("rejects bad initArgs and unknown models", async () => {
    for (const initArgs of [
      {},
      { maxModels: 0 },
      { maxModels: 2, extra: 1 },
      {
        maxModels: 2,
        models: [
          { name: "a", version: "1" },
          { name: "a", version: "1" },
        ],
      },
    ]) {
      await assert.rejects(
        startModelMux(initArgs, ctx),
        isClusterErrorWith("INVALID_ARGUMENT", /^model mux initArgs: /),
      );
    }
    const mux = await startModelMux({ maxBytes: 1e9, cacheDir: dir }, ctx);
    try {
      await assert.rejects(
        mux.call("infer", { model: "nope@1", inputs: {} }, signal),
        isClusterErrorWith("INVALID_ARGUMENT", /neither builtin nor resident/),
      );
      await assert.rejects(
        mux.call("infer", { inputs: {} }, signal),
        isClusterErrorWith("INVALID_ARGUMENT", /^infer args: model/),
      );
      assert.deepEqual(mux.info(), { model: "0 models", execution_provider: "cpu" });
    } finally {
      await mux.close();
    }
  });

  describe("with downloaded artifacts", () => {
    let server: ArtifactTestServer;
    const served = new Map<string, Uint8Array>();
    const onnx = buildMlpClassifierOnnx();
    const sha256 = sha256Hex(onnx);
    before(async () => {
      server = await startArtifactServer(served, { token: "nga.mux" });
    });
    after(() => server?.close());

    const ref = (name: string, path: string, sha = sha256) => ({
      name,
      version: "1",
      manifest: { ...mlpClassifierManifest, name, version: "1" },
      artifact: { url: server.url(path), sha256: sha, token: "nga.mux" },
    });

    it("loads a registered model named in the call, and refuses one whose bytes fail the integrity check", async () => {
      served.set("/good", onnx);
      // Serves the mlp's bytes where another artifact is expected.
      const otherSha = sha256Hex(buildCharTrigramLmOnnx());
      served.set("/bad", onnx);
      const cacheDir = join(dir, "mux-artifacts");
      const mux: ActorInstance = await startModelMux({ maxModels: 2, cacheDir }, ctx);
      try {
        const good = (await mux.call(
          "infer",
          { model: ref("reg-mlp", "/good"), inputs: inputsOf[MLP] },
          signal,
        )) as MuxInferResult;
        assert.equal(good.model, "reg-mlp@1");
        assert.deepEqual(good.outputs, dedicated.get(MLP)?.outputs);
        const again = (await mux.call(
          "infer",
          { model: "reg-mlp@1", inputs: inputsOf[MLP] },
          signal,
        )) as MuxInferResult;
        assert.deepEqual(again.outputs, good.outputs, "named by id once resident");
        await assert.rejects(
          mux.call("infer", { model: ref("bad-mlp", "/bad", otherSha), inputs: inputsOf[MLP] }, signal),
          (err: unknown) => {
            assert.ok(err instanceof ArtifactIntegrityError, String(err));
            assert.match(err.message, new RegExp(`sha256 is ${sha256}, expected ${otherSha}`));
            return true;
          },
        );
        assert.deepEqual(await mux.call("loaded", {}, signal), ["reg-mlp@1"]);
        assert.deepEqual(await readdir(cacheDir), [`${sha256}.onnx`]);
      } finally {
        await mux.close();
      }
    });
  });
});
