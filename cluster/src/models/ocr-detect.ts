/**
 * Text detection with PP-OCRv4's DB (differentiable binarisation) graph: image -> boxes.
 *
 *   pre:  resize so the longer side is at most DET_LIMIT_SIDE and both sides are multiples of 32
 *         (PaddleOCR's det_limit_side_len / limit_type "max"), ImageNet normalisation, BGR CHW;
 *   run:  x f32 [1,3,H,W] -> probability map f32 [1,1,H,W];
 *   post: threshold the map at DB_THRESH, take 4-connected components, keep those whose mean
 *         probability is at least BOX_THRESH, and grow each component's bounding box by
 *         PaddleOCR's unclip distance (area x UNCLIP_RATIO / perimeter): DB predicts shrunken
 *         text regions. Boxes are axis-aligned (rotated text is not handled) and mapped back to
 *         the caller's pixel coordinates.
 */
import type { FlatTensor } from "../runtime/tensor.js";
import type { ModelRuntime } from "./model-program.js";
import { type Box, clamp, type RgbImage, writeResizedChw } from "./ocr-image.js";

const DET_LIMIT_SIDE = 960;
const DB_THRESH = 0.3;
const BOX_THRESH = 0.6;
const UNCLIP_RATIO = 1.5;
const MIN_SIDE = 3;
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;

export interface DetectedBox extends Box {
  score: number;
}

export async function detectText(
  runtime: ModelRuntime,
  graph: string,
  image: RgbImage,
): Promise<DetectedBox[]> {
  const ratio = Math.min(1, DET_LIMIT_SIDE / Math.max(image.width, image.height));
  const w = Math.max(32, Math.round((image.width * ratio) / 32) * 32);
  const h = Math.max(32, Math.round((image.height * ratio) / 32) * 32);
  const data = new Float32Array(3 * h * w);
  const whole = { x0: 0, y0: 0, x1: image.width, y1: image.height };
  writeResizedChw(image, whole, w, h, IMAGENET, data, 0, w, h * w);
  const x: FlatTensor = { dtype: "float32", dims: [1, 3, h, w], data };
  const outName = runtime.manifest.outputs[0]?.name ?? "";
  const out = await runtime.run(graph, { x }, [outName]);
  const map = out[outName]?.data as Float32Array;
  return boxesFromMap(map, w, h).map((b) => ({
    x0: clamp(Math.floor((b.x0 * image.width) / w), 0, image.width),
    x1: clamp(Math.ceil((b.x1 * image.width) / w), 0, image.width),
    y0: clamp(Math.floor((b.y0 * image.height) / h), 0, image.height),
    y1: clamp(Math.ceil((b.y1 * image.height) / h), 0, image.height),
    score: b.score,
  }));
}

/** Components of the thresholded map, scored and unclipped, in map coordinates. */
function boxesFromMap(map: Float32Array, w: number, h: number): DetectedBox[] {
  const seen = new Uint8Array(w * h);
  const boxes: DetectedBox[] = [];
  const stack: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || (map[start] as number) <= DB_THRESH) continue;
    let x0 = w;
    let y0 = h;
    let x1 = -1;
    let y1 = -1;
    let sum = 0;
    let count = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop() as number;
      const px = p % w;
      const py = (p - px) / w;
      sum += map[p] as number;
      count++;
      x0 = Math.min(x0, px);
      x1 = Math.max(x1, px);
      y0 = Math.min(y0, py);
      y1 = Math.max(y1, py);
      for (const q of [
        px > 0 ? p - 1 : -1,
        px < w - 1 ? p + 1 : -1,
        py > 0 ? p - w : -1,
        py < h - 1 ? p + w : -1,
      ]) {
        if (q >= 0 && !seen[q] && (map[q] as number) > DB_THRESH) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    const bw = x1 - x0 + 1;
    const bh = y1 - y0 + 1;
    const score = sum / count;
    if (Math.min(bw, bh) < MIN_SIDE || score < BOX_THRESH) continue;
    const d = (bw * bh * UNCLIP_RATIO) / (2 * (bw + bh));
    boxes.push({
      x0: Math.max(0, x0 - d),
      y0: Math.max(0, y0 - d),
      x1: Math.min(w, x1 + 1 + d),
      y1: Math.min(h, y1 + 1 + d),
      score,
    });
  }
  return boxes;
}

/** Reading order: lines top to bottom (boxes overlapping vertically share a line), then left to right. */
export function readingOrder<B extends Box>(boxes: readonly B[]): B[][] {
  const lines: B[][] = [];
  for (const box of [...boxes].sort((a, b) => a.y0 - b.y0)) {
    const mid = (box.y0 + box.y1) / 2;
    const line = lines.find((l) => l.some((o) => mid > o.y0 && mid < o.y1));
    if (line) line.push(box);
    else lines.push([box]);
  }
  return lines.map((l) => l.sort((a, b) => a.x0 - b.x0));
}
