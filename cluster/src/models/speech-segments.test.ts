import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { speechSegments } from "./speech-segments.js";

const FRAME_MS = 32;
const opts = { threshold: 0.5, minSpeechMs: 250, minSilenceMs: 100, speechPadMs: 30 };
const frames = (...runs: [number, number][]) => runs.flatMap(([p, n]) => Array<number>(n).fill(p));

describe("speech segments from frame probabilities", () => {
  it("one stretch of speech, padded on both sides", () => {
    const p = frames([0, 10], [0.9, 20], [0, 10]);
    assert.deepEqual(speechSegments(p, FRAME_MS, 40 * FRAME_MS, opts), [
      { startMs: 10 * FRAME_MS - 30, endMs: 30 * FRAME_MS + 30, probability: 0.9 },
    ]);
  });

  it("a pause shorter than minSilenceMs does not split speech; a longer one does", () => {
    const short = frames([0.9, 10], [0.1, 2], [0.9, 10], [0, 10]);
    assert.equal(speechSegments(short, FRAME_MS, short.length * FRAME_MS, opts).length, 1);
    const long = frames([0.9, 10], [0.1, 8], [0.9, 10], [0, 10]);
    const two = speechSegments(long, FRAME_MS, long.length * FRAME_MS, opts);
    assert.equal(two.length, 2);
    assert.ok((two[0]?.endMs ?? 0) <= (two[1]?.startMs ?? 0), "padding never overlaps");
  });

  it("drops speech shorter than minSpeechMs, and keeps speech running to the clip's end", () => {
    assert.deepEqual(speechSegments(frames([0, 5], [0.9, 3], [0, 10]), FRAME_MS, 18 * FRAME_MS, opts), []);
    const open = speechSegments(frames([0, 5], [0.9, 20]), FRAME_MS, 25 * FRAME_MS, opts);
    assert.equal(open.length, 1);
    assert.equal(open[0]?.endMs, 25 * FRAME_MS);
  });

  it("ends speech where the model's falling tail began, not where the silence did", () => {
    const p = [...frames([0, 5], [0.9, 20]), 0.8, 0.7, 0.6, 0.4, ...frames([0, 10])];
    const [segment] = speechSegments(p, FRAME_MS, p.length * FRAME_MS, opts);
    assert.equal(segment?.endMs, 25 * FRAME_MS + 30);
  });
});
