/**
 * Speech detection as a task, in a real silero-vad actor: a WAV of speech-like sound with
 * silence around it (speech-test-audio.ts) gives one segment within 100 ms of where the speech
 * is, at 16 kHz and resampled from 44.1 kHz stereo and 8 kHz; silence gives none; a broken file
 * is INVALID_ARGUMENT and the actor goes on serving.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { VadTaskResult } from "@neurogrid/schema";
import type { ActorInstance } from "../runtime/actor-class.js";
import { createModelActor } from "../runtime/model-actor.js";
import { speechLikeClip, wavBytes } from "./speech-test-audio.js";

const ctx = { actorId: "speech-test", gpuIds: [], cudaVisibleDevices: "" };
const never = new AbortController().signal;
const TOLERANCE_MS = 100;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

describe("silero-vad@5 speech (the vad task's method)", () => {
  let cacheDir: string;
  let actor: ActorInstance;
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "speech-test-"));
    actor = await createModelActor({ name: "silero-vad", version: "5", cacheDir, intraOpNumThreads: 1 }, ctx);
  });
  after(async () => {
    await actor.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  for (const [rateHz, channels] of [
    [16_000, 1],
    [44_100, 2],
    [8_000, 1],
  ] as const) {
    it(`finds the one stretch of speech in a ${rateHz} Hz, ${channels}-channel WAV within ${TOLERANCE_MS} ms`, async () => {
      const clip = speechLikeClip({ silenceMs: 1500, speechMs: 2400, rateHz });
      const result = (await actor.call(
        "speech",
        { audio: b64(wavBytes(clip.samples, rateHz, channels)) },
        never,
      )) as VadTaskResult;
      assert.equal(result.segments.length, 1, JSON.stringify(result.segments));
      const [segment] = result.segments;
      assert.ok(
        Math.abs((segment?.startMs ?? 0) - clip.speech.startMs) <= TOLERANCE_MS,
        JSON.stringify(segment),
      );
      assert.ok(Math.abs((segment?.endMs ?? 0) - clip.speech.endMs) <= TOLERANCE_MS, JSON.stringify(segment));
      assert.ok((segment?.probability ?? 0) > 0.5);
      assert.ok(Math.abs(result.durationMs - 5400) < 1, String(result.durationMs));
    });
  }

  it("finds no speech in silence, and takes raw 16 kHz PCM", async () => {
    const pcm = Buffer.alloc(16_000 * 2 * 2); // two seconds of zeros
    const result = (await actor.call(
      "speech",
      { audio: b64(pcm), format: "pcm_s16le" },
      never,
    )) as VadTaskResult;
    assert.deepEqual(result.segments, []);
    assert.equal(result.durationMs, 2000);
  });

  it("refuses a file that is not WAV by name, and serves the next call", async () => {
    await assert.rejects(actor.call("speech", { audio: b64(Buffer.from("RIFX....not a wave")) }, never), {
      code: "INVALID_ARGUMENT",
      message: /not a WAV file/,
    });
    const clip = speechLikeClip({ silenceMs: 500, speechMs: 1200 });
    const result = (await actor.call(
      "speech",
      { audio: b64(wavBytes(clip.samples, clip.rateHz)) },
      never,
    )) as VadTaskResult;
    assert.equal(result.segments.length, 1);
  });
});
