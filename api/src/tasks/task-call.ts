/**
 * A task kind's codec on the attempt's side (task-kind.ts in @neurogrid/schema): the actor
 * method a task of the kind calls with its stored input, and what its answer becomes as the
 * task's result. The attempt runner (attempt-runner.ts, attempt-settle.ts) is the same for
 * every kind; only this changes. A generation streams instead (run-generation.ts).
 *
 *   tensor  infer { inputs }                      -> the output tensors, checked (task-output.ts)
 *   ocr     ocr { file: image }                   -> OcrTaskResult
 *   vad     speech { audio, format, ...config }   -> VadTaskResult
 * An answer that is not its kind's shape fails the task for good (InvalidOutputError), as a
 * tensor answer that is not the model's declared output does.
 */
import {
  DEFAULT_VAD_CONFIG,
  type InferResult,
  type ModelManifest,
  type OcrTaskResult,
  taskKindOf,
  type VadTaskResult,
} from "@neurogrid/schema";
import { z } from "zod";
import { InvalidOutputError, outputProblem } from "./task-output.js";

export interface TaskCall {
  method: string;
  args: unknown;
}

/** What the replica answered, as the task stores it. */
export interface TaskAnswer {
  result: Record<string, unknown>;
  executionProvider: string;
  inferenceMs: number;
}

export function taskCallOf(manifest: ModelManifest, input: Record<string, unknown>): TaskCall {
  switch (taskKindOf(manifest)) {
    case "ocr":
      return { method: "ocr", args: { file: input.image } };
    case "vad": {
      const { kind: _kind, ...config } = manifest.task?.kind === "vad" ? manifest.task : { kind: "vad" };
      return { method: "speech", args: { ...DEFAULT_VAD_CONFIG, ...config, ...input } };
    }
    default:
      return { method: "infer", args: { inputs: input } };
  }
}

const finite = z.number().finite();
const ran = { executionProvider: z.string(), inferenceMs: finite.nonnegative() };
const ocrAnswer = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  boxes: z.array(
    z.object({
      x0: finite,
      y0: finite,
      x1: finite,
      y1: finite,
      text: z.string(),
      confidence: finite.min(0).max(1),
    }),
  ),
  ...ran,
});
const vadAnswer = z.object({
  durationMs: finite.nonnegative(),
  segments: z.array(
    z.strictObject({
      startMs: finite.nonnegative(),
      endMs: finite.nonnegative(),
      probability: finite.min(0).max(1),
    }),
  ),
  ...ran,
});

/** The task's result from the replica's answer; InvalidOutputError when it is not its kind's. */
export function taskAnswerOf(manifest: ModelManifest, answer: unknown, maxResultChars: number): TaskAnswer {
  const kind = taskKindOf(manifest);
  if (kind === "ocr") {
    const a = parsed(ocrAnswer, answer, "OCR");
    const lines = a.boxes
      .filter((b) => b.text.trim() !== "")
      .map((b) => ({
        text: b.text.trim(),
        confidence: b.confidence,
        box: { x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 },
      }));
    const result: OcrTaskResult = {
      text: lines.map((l) => l.text).join("\n"),
      lines,
      width: a.width,
      height: a.height,
    };
    return { result: { ...result }, executionProvider: a.executionProvider, inferenceMs: a.inferenceMs };
  }
  if (kind === "vad") {
    const a = parsed(vadAnswer, answer, "speech detection");
    const result: VadTaskResult = { durationMs: a.durationMs, segments: a.segments };
    return { result: { ...result }, executionProvider: a.executionProvider, inferenceMs: a.inferenceMs };
  }
  const out = answer as InferResult;
  const problem = outputProblem(manifest.outputs, out?.outputs, maxResultChars);
  if (problem !== undefined) throw new InvalidOutputError(problem);
  return { result: out.outputs, executionProvider: out.executionProvider, inferenceMs: out.inferenceMs };
}

function parsed<T>(schema: z.ZodType<T>, answer: unknown, what: string): T {
  const r = schema.safeParse(answer);
  if (!r.success)
    throw new InvalidOutputError(`the replica's ${what} answer is not one: ${r.error.issues[0]?.message}`);
  return r.data;
}
