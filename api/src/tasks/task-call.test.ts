/**
 * A task kind's codec: the method and arguments each kind's task calls with, and the replica's
 * answer checked as its kind's result (a provider's answer that is not one fails the task).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mlpClassifierManifest, ocrTaskManifest, sileroVadManifest } from "@neurogrid/cluster/models";
import { DEFAULT_VAD_CONFIG } from "@neurogrid/schema";
import { taskAnswerOf, taskCallOf } from "./task-call.js";
import { InvalidOutputError } from "./task-output.js";

const MAX_CHARS = 100_000;
const ran = { executionProvider: "cpu", inferenceMs: 12 };

describe("task kinds' calls and answers", () => {
  it("calls infer, ocr or speech with the task's input (vad with its thresholds)", () => {
    assert.deepEqual(taskCallOf(mlpClassifierManifest, { features: [[1]] }), {
      method: "infer",
      args: { inputs: { features: [[1]] } },
    });
    assert.deepEqual(taskCallOf(ocrTaskManifest, { image: "iVBO" }), {
      method: "ocr",
      args: { file: "iVBO" },
    });
    const vad = { ...sileroVadManifest, task: { kind: "vad" as const, threshold: 0.6 } };
    assert.deepEqual(taskCallOf(vad, { audio: "UklG", format: "wav" }), {
      method: "speech",
      args: { ...DEFAULT_VAD_CONFIG, threshold: 0.6, audio: "UklG", format: "wav" },
    });
  });

  it("keeps an OCR answer's boxes with text as lines, in order", () => {
    const answer = {
      width: 300,
      height: 96,
      boxes: [
        { x0: 1, y0: 2, x1: 3, y1: 4, score: 0.9, text: " HELLO ", confidence: 0.97 },
        { x0: 5, y0: 6, x1: 7, y1: 8, score: 0.5, text: "", confidence: 0.1 },
      ],
      ...ran,
    };
    const out = taskAnswerOf(ocrTaskManifest, answer, MAX_CHARS);
    assert.deepEqual(out.result, {
      text: "HELLO",
      lines: [{ text: "HELLO", confidence: 0.97, box: { x0: 1, y0: 2, x1: 3, y1: 4 } }],
      width: 300,
      height: 96,
    });
    assert.equal(out.executionProvider, "cpu");
  });

  it("refuses answers that are not their kind's (InvalidOutputError)", () => {
    assert.throws(
      () => taskAnswerOf(ocrTaskManifest, { text: "HELLO", ...ran }, MAX_CHARS),
      InvalidOutputError,
    );
    const badSegment = { durationMs: 1000, segments: [{ startMs: 0, endMs: 10, probability: 7 }], ...ran };
    assert.throws(() => taskAnswerOf(sileroVadManifest, badSegment, MAX_CHARS), InvalidOutputError);
    assert.throws(
      () => taskAnswerOf(mlpClassifierManifest, { outputs: { nope: [1] }, ...ran }, MAX_CHARS),
      InvalidOutputError,
    );
  });
});
