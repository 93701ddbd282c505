/**
 * The OCR stages as separate models, as the composed pipeline uses them: ppocr-v4's `detect`,
 * crops cut by ocr-crops.ts, and ppocr-v4-rec's `recognise` read back rendered text exactly as
 * the one-actor `ocr` does; concurrent recognise calls (crops of different tasks) share one
 * inference; a malformed crop is refused alone.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ClusterError } from "../errors.js";
import type { ActorInstance } from "../runtime/actor-class.js";
import { createModelActor } from "../runtime/model-actor.js";
import { cropForRecognition } from "./ocr-crops.js";
import type { Recognised } from "./ocr-recognize.js";
import { normaliseText, registerTestFont, renderPng } from "./ocr-test-image.js";
import { decodePng } from "./png-decode.js";
import { type DetectResult, type OcrResult, ocrResult } from "./ppocr-v4.js";

const ctx = { actorId: "ocr-stages-test", gpuIds: [], cudaVisibleDevices: "" };
const never = new AbortController().signal;

describe("OCR as two models: detection, then recognition of crops", () => {
  let cacheDir: string;
  let det: ActorInstance;
  let rec: ActorInstance;
  before(async () => {
    registerTestFont();
    cacheDir = await mkdtemp(join(tmpdir(), "ocr-stages-"));
    det = await createModelActor({ name: "ppocr-v4", version: "1", cacheDir, intraOpNumThreads: 1 }, ctx);
    rec = await createModelActor(
      {
        name: "ppocr-v4-rec",
        version: "1",
        cacheDir,
        intraOpNumThreads: 1,
        batching: { maxBatchSize: 64, batchWaitTimeoutMs: 50 },
      },
      ctx,
    );
  });
  after(async () => {
    await det?.close();
    await rec?.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  async function stages(png: string) {
    const detected = (await det.call("detect", { png }, never)) as DetectResult;
    const image = decodePng(Buffer.from(png, "base64"));
    const crops = detected.lines.flat().map((b) => cropForRecognition(image, b));
    return { detected, crops };
  }

  it("reads back the same text as the one-actor pipeline", async () => {
    const png = renderPng("NEUROGRID 2026", 128);
    const { detected, crops } = await stages(png);
    assert.ok(crops.length >= 1);
    const { texts } = (await rec.call("recognise", { crops }, never)) as { texts: Recognised[] };
    const composed = ocrResult(detected.lines, texts);
    const whole = (await det.call("ocr", { png }, never)) as OcrResult;
    assert.equal(normaliseText(composed.text), "NEUROGRID 2026");
    assert.equal(composed.text, whole.text);
  });

  it("batches the crops of concurrent calls into one inference, each call getting its own texts", async () => {
    const words = ["ALPHA 1", "BRAVO 22", "CHARLIE 333"];
    const prepared = await Promise.all(words.map((w) => stages(renderPng(w, 128))));
    const answers = (await Promise.all(
      prepared.map((p) => rec.call("recognise", { crops: p.crops }, never)),
    )) as { texts: Recognised[]; batchRequests: number }[];
    answers.forEach((answer, i) => {
      const text = ocrResult((prepared[i] as { detected: DetectResult }).detected.lines, answer.texts).text;
      assert.equal(normaliseText(text), words[i]);
    });
    assert.ok(
      answers.some((a) => a.batchRequests >= 2),
      `some calls shared an inference: ${answers.map((a) => a.batchRequests)}`,
    );
  });

  it("refuses a crop whose bytes do not match its size, with INVALID_ARGUMENT", async () => {
    const bad = {
      width: 10,
      height: 10,
      rgb: Buffer.alloc(5).toString("base64"),
      box: { x0: 0, y0: 0, x1: 5, y1: 5 },
    };
    await assert.rejects(
      rec.call("recognise", { crops: [bad] }, never),
      (err: unknown) =>
        err instanceof ClusterError && err.code === "INVALID_ARGUMENT" && /10 x 10 x 3/.test(err.message),
    );
  });
});
