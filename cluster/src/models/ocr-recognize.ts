/**
 * Text recognition with PP-OCRv4's CRNN (SVTR-LCNet) graph: crops -> strings.
 *
 *   pre:  each box cropped from the image and resized to height 48 keeping its aspect ratio
 *         (width at most REC_MAX_WIDTH), normalised to [-1,1], BGR CHW; all crops of a call run
 *         as one batch, right-padded with zeros to the widest;
 *   run:  x f32 [B,3,48,W] -> f32 [B,T,6625] (per time step, a softmax over the classes);
 *   post: CTC greedy decoding: the most likely class per step, repeats collapsed, blanks
 *         dropped. Class 0 is the blank, classes 1..N are the dictionary's lines in order, and
 *         the last class is a space (PaddleOCR's use_space_char).
 */
import type { FlatTensor } from "../runtime/tensor.js";
import type { ModelRuntime } from "./model-program.js";
import { type Box, type RgbImage, writeResizedChw } from "./ocr-image.js";

const REC_HEIGHT = 48;
export const REC_MAX_WIDTH = 1280;
const HALF = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } as const;

export interface Recognised {
  text: string;
  /** Mean probability of the kept characters (1 for an empty string). */
  confidence: number;
}

/** The dictionary file's lines as classes 1..N, plus the trailing space class. */
export function ctcClasses(dictionary: Uint8Array): string[] {
  const lines = new TextDecoder().decode(dictionary).split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  return ["", ...lines, " "];
}

export async function recogniseCrops(
  runtime: ModelRuntime,
  graph: string,
  classes: readonly string[],
  image: RgbImage,
  boxes: readonly Box[],
): Promise<Recognised[]> {
  if (boxes.length === 0) return [];
  const x = recognitionTensor(boxes.map((box) => ({ image, box })));
  const out = await runtime.run(graph, { x }, [REC_OUTPUT]);
  return ctcDecode(out[REC_OUTPUT], classes);
}

export const REC_OUTPUT = "softmax_11.tmp_0";

/** One crop to recognise: a box of an image (the image may be just the box and its margin). */
export interface CropSource {
  image: RgbImage;
  box: Box;
}

/** The width a crop is resized to at height 48, keeping its aspect ratio. */
export function recognitionWidth(box: Box): number {
  return Math.max(
    8,
    Math.min(REC_MAX_WIDTH, Math.ceil((REC_HEIGHT * (box.x1 - box.x0)) / Math.max(1, box.y1 - box.y0))),
  );
}

/**
 * The crops as one x [B,3,48,W] batch, right-padded with zeros to W: the widest crop, or
 * `padTo` when that is wider (callers that want their batches to share a shape round it up).
 */
export function recognitionTensor(crops: readonly CropSource[], padTo = 0): FlatTensor {
  const widths = crops.map((c) => recognitionWidth(c.box));
  const width = Math.max(padTo, ...widths);
  const plane = REC_HEIGHT * width;
  const data = new Float32Array(crops.length * 3 * plane);
  crops.forEach((crop, i) => {
    writeResizedChw(
      crop.image,
      crop.box,
      widths[i] as number,
      REC_HEIGHT,
      HALF,
      data,
      i * 3 * plane,
      width,
      plane,
    );
  });
  return { dtype: "float32", dims: [crops.length, 3, REC_HEIGHT, width], data };
}

/** CTC greedy decoding of [B,T,classes] probabilities, one string per row. */
export function ctcDecode(probs: FlatTensor | undefined, classes: readonly string[]): Recognised[] {
  const [batch = 0, steps = 0, count = 0] = probs?.dims ?? [];
  const values = probs?.data as Float32Array;
  const results: Recognised[] = [];
  for (let b = 0; b < batch; b++) {
    let text = "";
    let previous = 0;
    let confidence = 0;
    let kept = 0;
    for (let t = 0; t < steps; t++) {
      const base = (b * steps + t) * count;
      let best = 0;
      for (let k = 1; k < count; k++)
        if ((values[base + k] as number) > (values[base + best] as number)) best = k;
      if (best !== 0 && best !== previous) {
        text += classes[best] ?? "";
        confidence += values[base + best] as number;
        kept++;
      }
      previous = best;
    }
    results.push({ text, confidence: kept > 0 ? confidence / kept : 1 });
  }
  return results;
}
