/**
 * Do two results of one TASK agree? A task's result is its kind's (task-kind.ts in
 * @neurogrid/schema): output tensors and generations are compared under the model's declared
 * rule (result-comparison.ts); a speech task's segments (kind `vad`) are derived from the model's
 * per-frame probabilities, so the rule carries over to what they can move by:
 *
 *   vad   the same durationMs and number of segments; each segment's start and end within one
 *         frame (512 samples at 16 kHz, 32 ms: a probability within the model's tolerance of
 *         the threshold may cross it one frame sooner or later on other hardware), and its mean
 *         probability within SEGMENT_PROBABILITY_ATOL
 *
 * An OCR task (kind `ocr`) is composed of other deployments' calls (ocr-task-model.ts) whose
 * replicas the pipeline picks itself: a disagreement could not be laid at one node, so it has no
 * task-level rule and is never drawn for a check (verification/verifier.ts). Reflexive and
 * symmetric, as every rule is.
 */
import { type ModelManifest, type SpeechSegment, taskKindOf } from "@neurogrid/schema";
import { type ComparisonVerdict, compareResults } from "./result-comparison.js";

/** One Silero frame: 512 samples at 16 kHz. */
export const SEGMENT_EDGE_MS = 32;
/** A segment's mean probability drifts by no more than its frames' (1e-3 each) and rounding. */
const SEGMENT_PROBABILITY_ATOL = 1e-2;

type Manifest = Pick<ModelManifest, "comparison" | "outputs" | "task" | "pricing">;

export function compareTaskResults(manifest: Manifest, a: unknown, b: unknown): ComparisonVerdict {
  if (taskKindOf(manifest) === "vad") return compareSpeech(a, b);
  return compareResults(manifest, a, b);
}

interface Speech {
  durationMs: number;
  segments: SpeechSegment[];
}

function isSpeech(value: unknown): value is Speech {
  const v = value as Partial<Speech> | null;
  return typeof v?.durationMs === "number" && Array.isArray(v.segments);
}

function compareSpeech(a: unknown, b: unknown): ComparisonVerdict {
  if (!isSpeech(a) || !isSpeech(b)) return { agree: false, reason: "a result is not speech segments" };
  if (a.durationMs !== b.durationMs)
    return { agree: false, reason: `durationMs ${a.durationMs} vs ${b.durationMs}` };
  if (a.segments.length !== b.segments.length)
    return { agree: false, reason: `${a.segments.length} segments vs ${b.segments.length}` };
  for (const [i, x] of a.segments.entries()) {
    const y = b.segments[i] as SpeechSegment;
    if (Math.abs(x.startMs - y.startMs) > SEGMENT_EDGE_MS || Math.abs(x.endMs - y.endMs) > SEGMENT_EDGE_MS)
      return {
        agree: false,
        reason: `segment ${i}: ${x.startMs}-${x.endMs} ms vs ${y.startMs}-${y.endMs} ms`,
      };
    if (!(Math.abs(x.probability - y.probability) <= SEGMENT_PROBABILITY_ATOL))
      return { agree: false, reason: `segment ${i}: probability ${x.probability} vs ${y.probability}` };
  }
  return { agree: true };
}
