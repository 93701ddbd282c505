/**
 * The model mux as a real actor process (className "model-mux", started the way a worker
 * starts actors, called over loopback gRPC): three builtin models through one mux process with
 * maxModels 2 answer exactly as three dedicated model actor processes do, and its resident set
 * follows least-recently-used order. Every process is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { InferResult, MuxInferResult } from "@neurogrid/schema";
import { ActorFixture } from "../cli/testing/actor-fixture.js";

const models = {
  "mlp-classifier@1": { features: [Array.from({ length: 16 }, (_, i) => Math.fround(Math.cos(i) / 2))] },
  "char-trigram-lm@1": {
    tokens: [
      [7, 8],
      [9, 10],
    ],
  },
  "silero-vad@5": {
    input: [Array.from({ length: 576 }, (_, i) => Math.fround(Math.sin(i / 5) * 0.2))],
    state: [[new Array(128).fill(0)], [new Array(128).fill(0)]],
    sr: 16000,
  },
} as const;
type Id = keyof typeof models;

describe("model mux in its own actor process", { timeout: 120_000 }, () => {
  const fixture = new ActorFixture();
  let cacheDir: string;

  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "model-mux-process-"));
  });
  after(async () => {
    await fixture.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("serves three models with maxModels 2 as dedicated actor processes do, in LRU order", async () => {
    const expected = new Map<Id, InferResult>();
    for (const id of Object.keys(models) as Id[]) {
      const [name, version] = id.split("@");
      const info = await fixture.start(`dedicated-${name}`, {
        className: "model",
        initArgs: { name, version, cacheDir },
      });
      expected.set(id, await fixture.handle(info).call<InferResult>("infer", { inputs: models[id] }));
      await fixture.kill(info);
    }

    const info = await fixture.start("mux", { className: "model-mux", initArgs: { maxModels: 2, cacheDir } });
    const mux = fixture.handle(info);
    const order: Id[] = [
      "mlp-classifier@1",
      "char-trigram-lm@1",
      "silero-vad@5",
      "char-trigram-lm@1",
      "mlp-classifier@1",
    ];
    const loaded: string[][] = [];
    for (const id of order) {
      const result = await mux.call<MuxInferResult>("infer", { model: id, inputs: models[id] });
      assert.equal(result.model, id);
      assert.deepEqual(result.outputs, expected.get(id)?.outputs, `${id} answers as its own actor`);
      loaded.push(await mux.call<string[]>("loaded", {}));
    }
    assert.deepEqual(loaded, [
      ["mlp-classifier@1"],
      ["mlp-classifier@1", "char-trigram-lm@1"],
      ["char-trigram-lm@1", "silero-vad@5"],
      ["silero-vad@5", "char-trigram-lm@1"],
      ["char-trigram-lm@1", "mlp-classifier@1"],
    ]);
    const concurrent = await Promise.all(
      (Object.keys(models) as Id[]).flatMap((id) =>
        [1, 2].map(() => mux.call<MuxInferResult>("infer", { model: id, inputs: models[id] })),
      ),
    );
    for (const result of concurrent) {
      assert.deepEqual(result.outputs, expected.get(result.model as Id)?.outputs);
    }
    assert.equal((await mux.call<string[]>("loaded", {})).length, 2, "back under its limit once calls end");
  });
});
