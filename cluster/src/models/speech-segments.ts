/**
 * Speech segments from per-frame speech probabilities, after Silero's own get_speech_timestamps:
 * speech starts at a frame at or above `threshold` and ends once the probability has stayed below
 * `threshold - 0.15` for `minSilenceMs` (the end is where that silence began); segments shorter
 * than `minSpeechMs` are dropped. Silero's recurrent state keeps the probability up for about
 * 100 ms after speech stops and lets it fall from there (measured on speech-like audio: a clip's
 * speech ending at 3900 ms gave 0.84, 0.73, 0.61, 0.42, 0.24 for the frames from 3904 ms): the
 * falling run of frames just before the silence is that decay, not speech, and the segment ends
 * where it began (at most MAX_DECAY_TRIM_MS earlier). Each segment is widened by `speechPadMs`
 * on both sides, and where two widened segments would overlap the gap between them is split.
 * Pure, for unit tests.
 */
import type { SpeechSegment } from "@neurogrid/schema";

export interface SegmentOptions {
  threshold: number;
  minSpeechMs: number;
  minSilenceMs: number;
  speechPadMs: number;
}

/** Hysteresis below the threshold before speech counts as ended (Silero's 0.15). */
const NEG_THRESHOLD_GAP = 0.15;
const MIN_NEG_THRESHOLD = 0.01;
/** The most of a segment's end taken as the model's decay rather than speech. */
const MAX_DECAY_TRIM_MS = 160;

export function speechSegments(
  probabilities: readonly number[],
  frameMs: number,
  durationMs: number,
  opts: SegmentOptions,
): SpeechSegment[] {
  const negThreshold = Math.max(opts.threshold - NEG_THRESHOLD_GAP, MIN_NEG_THRESHOLD);
  const raw: { start: number; end: number }[] = [];
  let start = -1;
  let silenceFrom = -1;
  const maxTrim = Math.floor(MAX_DECAY_TRIM_MS / frameMs);
  const close = (silence: number) => {
    let end = silence;
    while (
      end - 1 > start &&
      silence - end < maxTrim &&
      (probabilities[end - 1] as number) < (probabilities[end - 2] as number)
    )
      end--;
    if ((end - start) * frameMs >= opts.minSpeechMs) raw.push({ start, end });
    start = -1;
    silenceFrom = -1;
  };
  probabilities.forEach((p, i) => {
    if (p >= opts.threshold) {
      if (start < 0) start = i;
      silenceFrom = -1;
    } else if (start >= 0 && p < negThreshold) {
      if (silenceFrom < 0) silenceFrom = i;
      if ((i + 1 - silenceFrom) * frameMs >= opts.minSilenceMs) close(silenceFrom);
    }
  });
  if (start >= 0) close(silenceFrom >= 0 ? silenceFrom : probabilities.length);
  const segments = raw.map(({ start: s, end: e }) => ({
    startMs: s * frameMs,
    endMs: Math.min(e * frameMs, durationMs),
    probability: mean(probabilities.slice(s, e)),
  }));
  return padded(segments, opts.speechPadMs, durationMs);
}

function padded(segments: SpeechSegment[], padMs: number, durationMs: number): SpeechSegment[] {
  return segments.map((seg, i) => {
    const prev = segments[i - 1];
    const next = segments[i + 1];
    const startMs = prev
      ? Math.max(seg.startMs - padMs, (prev.endMs + seg.startMs) / 2)
      : Math.max(0, seg.startMs - padMs);
    const endMs = next
      ? Math.min(seg.endMs + padMs, (seg.endMs + next.startMs) / 2)
      : Math.min(durationMs, seg.endMs + padMs);
    return {
      ...seg,
      startMs: round(startMs),
      endMs: round(endMs),
      probability: round(seg.probability, 1000),
    };
  });
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const round = (x: number, per = 1) => Math.round(x * per) / per;
