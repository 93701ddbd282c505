import { mulberry32, speechLikeClip, wavBytes } from "@neurogrid/cluster/models";
import type { ModelManifest, TensorMap, TensorSpec } from "@neurogrid/schema";

/**
 * Inputs for known-answer tasks (canaries, onboarding), generated from a model's declared input
 * shapes by a seeded generator: shaped as a client's task is (one row in the dynamic batch
 * dimension, a few entries in any other dynamic one), valued as typical features are (floats in
 * [-2, 2) with four decimals; integers in [0, INT_VALUES), small enough to be a valid index of
 * any embedding or vocabulary). The seed is the caller's secret (random per process), so a
 * provider cannot know the inputs ahead; the same seed gives the same inputs (tests).
 */
const ROWS = 1;
/** Entries of a dynamic dimension other than the first. */
const OTHER_DYNAMIC = 4;
const INT_VALUES = 8;

export function knownInputs(manifest: ModelManifest, seed: number, count: number): TensorMap[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () =>
    Object.fromEntries(manifest.inputs.map((spec) => [spec.name, tensorOf(spec, random)])),
  );
}

function tensorOf(spec: TensorSpec, random: () => number): unknown {
  const dims = spec.shape.map((d, i) => (d > 0 ? d : i === 0 ? ROWS : OTHER_DYNAMIC));
  const value =
    spec.dtype === "float32"
      ? () => Math.round((random() * 4 - 2) * 10_000) / 10_000
      : () => Math.floor(random() * INT_VALUES);
  const fill = (depth: number): unknown =>
    depth === dims.length - 1
      ? Array.from({ length: dims[depth] ?? 1 }, value)
      : Array.from({ length: dims[depth] ?? 1 }, () => fill(depth + 1));
  return dims.length === 0 ? value() : fill(0);
}

/** A generation's known-answer arguments: a prompt this long, this many tokens asked. */
const PROMPT_CHARS = 6;
const GENERATED_TOKENS = 16;

/**
 * Arguments of known-answer generations, from the same kind of seeded generator: a prompt of the
 * model's own characters (its vocabulary: a prompt outside it is refused at submit), a short
 * length, a client's usual temperature and a seed of the task's own, so the text is fixed.
 */
export function knownGenerations(
  manifest: ModelManifest,
  seed: number,
  count: number,
): Record<string, unknown>[] {
  const random = mulberry32(seed);
  const vocabulary = manifest.vocabulary ?? [];
  return Array.from({ length: count }, () => ({
    prompt: Array.from(
      { length: PROMPT_CHARS },
      () => vocabulary[Math.floor(random() * vocabulary.length)] ?? "",
    ).join(""),
    maxTokens: GENERATED_TOKENS,
    temperature: 0.8,
    seed: Math.floor(random() * 2 ** 31),
  }));
}

/** A known-answer clip: quiet, speech-like sound, quiet (lengths drawn per clip, milliseconds). */
const CLIP_SILENCE_MS = [300, 900] as const;
const CLIP_SPEECH_MS = [800, 1600] as const;
const CLIP_RATE_HZ = 16_000;

/**
 * Inputs of known-answer speech tasks: WAV clips of speech-like sound between stretches of quiet
 * (speechLikeClip: voiced syllables through vowel formants), of lengths and a voice drawn from
 * the same kind of seeded generator, base64 as a client sends its audio.
 */
export function knownClips(seed: number, count: number): Record<string, unknown>[] {
  const random = mulberry32(seed);
  const between = ([lo, hi]: readonly [number, number]) => Math.round(lo + random() * (hi - lo));
  return Array.from({ length: count }, () => {
    const clip = speechLikeClip({
      silenceMs: between(CLIP_SILENCE_MS),
      speechMs: between(CLIP_SPEECH_MS),
      rateHz: CLIP_RATE_HZ,
      seed: Math.floor(random() * 2 ** 31),
    });
    return { audio: Buffer.from(wavBytes(clip.samples, CLIP_RATE_HZ)).toString("base64") };
  });
}
