/**
 * What a task of a model takes and returns: the model's task kind (ModelManifest.task). A kind
 * chooses the actor method a task calls and the codec of its input and result; never the task's
 * lifecycle or its money (one state machine for every kind).
 *
 *   tensor    input: the manifest's input tensors by name; result: its output tensors (`infer`)
 *   generate  input: { prompt, maxTokens?, temperature?, seed? }; result: { text, finishReason },
 *             each token streamed as produced (`generate`)
 *   ocr       input: { image: base64 PNG or JPEG bytes }; result: OcrTaskResult (`ocr`)
 *   vad       input: { audio: base64 WAV, or 16 kHz mono 16-bit PCM with format "pcm_s16le" };
 *             result: VadTaskResult (`speech`)
 * A manifest without `task` is `generate` when priced per output token, else `tensor`.
 */

export type TaskKind = "tensor" | "generate" | "ocr" | "vad";

/** OCR limits, checked at submit from the image's header before anything is decoded or held. */
export interface OcrTaskConfig {
  kind: "ocr";
  /** Largest encoded image, bytes (DEFAULT_OCR_LIMITS). */
  maxImageBytes?: number;
  /** Largest width x height (DEFAULT_OCR_LIMITS). */
  maxPixels?: number;
}

/** Speech detection: its limit (checked at submit from the header) and its thresholds. */
export interface VadTaskConfig {
  kind: "vad";
  /** Longest clip, milliseconds (DEFAULT_VAD_CONFIG). */
  maxDurationMs?: number;
  /** A frame is speech at or above this probability (0..1). */
  threshold?: number;
  /** Shorter speech is dropped, milliseconds. */
  minSpeechMs?: number;
  /** Shorter silence inside speech does not end the segment, milliseconds. */
  minSilenceMs?: number;
  /** Each segment is widened by this much on both sides, milliseconds. */
  speechPadMs?: number;
}

export type ModelTaskConfig = { kind: "tensor" } | { kind: "generate" } | OcrTaskConfig | VadTaskConfig;

export const DEFAULT_OCR_LIMITS = {
  maxImageBytes: 4 * 1024 * 1024,
  maxPixels: 4096 * 4096,
} as const satisfies Required<Omit<OcrTaskConfig, "kind">>;

/** After Silero's own get_speech_timestamps defaults (its padding 30 ms). */
export const DEFAULT_VAD_CONFIG = {
  maxDurationMs: 300_000,
  threshold: 0.5,
  minSpeechMs: 250,
  minSilenceMs: 100,
  speechPadMs: 30,
} as const satisfies Required<Omit<VadTaskConfig, "kind">>;

/** One field of what a task takes or returns, as `models` documents it. */
export interface TaskField {
  name: string;
  /** GraphQL-style type: "String!", "Int", "[OcrLine!]!", "float32[-1,4]". */
  type: string;
  description: string;
}

/** One recognised line of an OCR task: its text, how sure the model is, where it is (pixels). */
export interface OcrLine {
  text: string;
  /** Mean probability of the line's characters, 0..1. */
  confidence: number;
  box: { x0: number; y0: number; x1: number; y1: number };
}

export interface OcrTaskResult {
  /** The lines' texts, top to bottom, joined by "\n". */
  text: string;
  lines: OcrLine[];
  width: number;
  height: number;
}

export interface SpeechSegment {
  startMs: number;
  endMs: number;
  /** Mean speech probability of the segment's frames, 0..1. */
  probability: number;
}

export interface VadTaskResult {
  durationMs: number;
  segments: SpeechSegment[];
}

export const OCR_INPUT_FIELDS: readonly TaskField[] = [
  {
    name: "image",
    type: "String!",
    description: "The image's PNG or JPEG bytes, base64; size and pixel limits in the model's task.",
  },
];

export const OCR_OUTPUT_FIELDS: readonly TaskField[] = [
  { name: "text", type: "String!", description: "The lines' texts, top to bottom, joined by newlines." },
  { name: "lines", type: "[OcrLine!]!", description: "Each recognised line: text, confidence, box." },
  { name: "width", type: "Int!", description: "The image's width, pixels." },
  { name: "height", type: "Int!", description: "The image's height, pixels." },
];

export const VAD_INPUT_FIELDS: readonly TaskField[] = [
  {
    name: "audio",
    type: "String!",
    description:
      "A WAV file (8-bit, 16-bit, 24-bit or 32-bit PCM or float, any channels, common rates: resampled to 16 kHz mono), base64; or raw 16 kHz mono 16-bit little-endian PCM with format pcm_s16le.",
  },
  { name: "format", type: "String", description: 'wav (the default) or "pcm_s16le".' },
];

export const VAD_OUTPUT_FIELDS: readonly TaskField[] = [
  { name: "durationMs", type: "Float!", description: "The clip's length." },
  {
    name: "segments",
    type: "[SpeechSegment!]!",
    description: "Where the speech is: startMs, endMs, mean probability.",
  },
];

export const GENERATE_INPUT_FIELDS: readonly TaskField[] = [
  { name: "prompt", type: "String!", description: "Text to continue, in the model's vocabulary." },
  { name: "maxTokens", type: "Int", description: "At most this many tokens (bounds the escrow)." },
  { name: "temperature", type: "Float", description: "Sampling temperature; 0 is greedy." },
  { name: "seed", type: "Int", description: "Seed of the sampler, for repeatable output." },
];

export const GENERATE_OUTPUT_FIELDS: readonly TaskField[] = [
  { name: "text", type: "String!", description: "The generated text (each token also streamed)." },
  { name: "finishReason", type: "String!", description: "stop or length." },
];

/** The kind of a model's tasks: its manifest's, else by its pricing. */
export function taskKindOf(manifest: {
  task?: ModelTaskConfig | undefined;
  pricing?: { unit: string } | undefined;
}): TaskKind {
  return manifest.task?.kind ?? (manifest.pricing?.unit === "output_token" ? "generate" : "tensor");
}
