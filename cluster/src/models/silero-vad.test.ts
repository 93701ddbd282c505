import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { InferResult } from "@neurogrid/schema";
import type { ActorInstance } from "../runtime/actor-class.js";
import { createModelActor, type ModelHealth } from "../runtime/model-actor.js";
import { mulberry32 } from "./prng.js";
import { sileroVadV5, VAD_SAMPLE_RATE } from "./silero-vad.js";

const ctx = { actorId: "vad-test", gpuIds: [], cudaVisibleDevices: "" };
const never = new AbortController().signal;
const SECONDS = 2;

/**
 * A voiced-like signal: a glottal pulse train (fundamental gliding around 120 Hz, its
 * harmonics) shaped by vowel formants that change every 250 ms, with syllable-rate loudness.
 */
function voicedLike(seconds: number): number[] {
  const vowels = [
    [730, 1090, 2440],
    [270, 2290, 3010],
    [570, 840, 2410],
    [300, 870, 2240],
  ];
  const random = mulberry32(5);
  const out: number[] = [];
  let phase = 0;
  for (let n = 0; n < seconds * VAD_SAMPLE_RATE; n++) {
    const t = n / VAD_SAMPLE_RATE;
    const f0 = 120 + 20 * Math.sin(2 * Math.PI * 1.5 * t);
    phase += (2 * Math.PI * f0) / VAD_SAMPLE_RATE;
    const formants = vowels[Math.floor(t * 4) % vowels.length] as number[];
    let v = 0;
    for (let h = 1; h * f0 < 4000; h++) {
      const f = h * f0;
      const gain = formants.reduce((g, fc) => g + 1 / (1 + ((f - fc) / 90) ** 2), 0);
      v += (gain / h) * Math.sin(h * phase);
    }
    const envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    out.push(Math.max(-1, Math.min(1, 0.12 * envelope * v + 0.002 * (random() - 0.5))));
  }
  return out;
}

describe("silero-vad@5 (pretrained, from @ricky0123/vad-web)", () => {
  let cacheDir: string;
  let actor: ActorInstance;
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "vad-test-"));
    actor = await createModelActor({ name: "silero-vad", version: "5", cacheDir, intraOpNumThreads: 1 }, ctx);
  });
  after(async () => {
    await actor.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("loads through the model file cache under its pinned sha256", async () => {
    const health = (await actor.call("health", {}, never)) as ModelHealth;
    assert.equal(health.model.sha256, sileroVadV5.sha256);
    assert.deepEqual(await readdir(cacheDir), [`${sileroVadV5.sha256}.onnx`]);
  });

  it("finds no speech in silence, and more in a voiced-like signal", async () => {
    const silence = (await actor.call(
      "detect",
      { samples: new Array(SECONDS * VAD_SAMPLE_RATE).fill(0) },
      never,
    )) as {
      probabilities: number[];
    };
    const voiced = (await actor.call("detect", { samples: voicedLike(SECONDS) }, never)) as {
      probabilities: number[];
    };
    assert.equal(silence.probabilities.length, Math.ceil((SECONDS * VAD_SAMPLE_RATE) / 512));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const silenceMax = Math.max(...silence.probabilities);
    assert.ok(silenceMax < 0.2, `silence: ${silenceMax}`);
    // Measured here: silence peaks near 0.01, the voiced-like signal averages near 0.9.
    assert.ok(Math.max(...voiced.probabilities) > 0.5, `voiced: ${voiced.probabilities.join(",")}`);
    assert.ok(mean(voiced.probabilities) > mean(silence.probabilities) + 0.3);
  });

  it("serves the raw stateful graph through infer", async () => {
    const result = (await actor.call(
      "infer",
      {
        inputs: {
          input: [new Array(576).fill(0)],
          state: [[new Array(128).fill(0)], [new Array(128).fill(0)]],
          sr: 16000,
        },
      },
      never,
    )) as InferResult;
    assert.equal((result.outputs.output as number[][]).length, 1);
    assert.equal((result.outputs.stateN as number[][][]).length, 2);
    assert.equal(result.batchRequests, 1);
  });
});
