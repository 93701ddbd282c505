/**
 * Crops on the wire between OCR deployments (composition: a pipeline crops what detection
 * found and sends the crops to the recognition deployment). A crop is the box's pixels plus a
 * one-pixel margin (clamped to the image), as 8-bit RGB in base64, with the box given in the
 * crop's own coordinates: bilinear resizing of the box then reads exactly the pixels it would
 * read in the whole image, so recognition sees the same tensor as in the one-actor pipeline.
 */
import { z } from "zod";
import { ClusterError } from "../errors.js";
import type { Box, RgbImage } from "./ocr-image.js";
import type { CropSource } from "./ocr-recognize.js";

const MARGIN = 1;
const MAX_CROP_SIDE = 4096;

export interface WireCrop {
  width: number;
  height: number;
  /** width x height x 3 bytes, RGB, row-major, base64. */
  rgb: string;
  box: Box;
}

export function cropForRecognition(image: RgbImage, box: Box): WireCrop {
  const x0 = Math.max(0, Math.floor(box.x0) - MARGIN);
  const y0 = Math.max(0, Math.floor(box.y0) - MARGIN);
  const x1 = Math.min(image.width, Math.ceil(box.x1) + MARGIN);
  const y1 = Math.min(image.height, Math.ceil(box.y1) + MARGIN);
  const width = Math.max(1, x1 - x0);
  const height = Math.max(1, y1 - y0);
  const bytes = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = ((y0 + y) * image.width + (x0 + x)) * 3;
      const to = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) bytes[to + c] = Math.round(image.data[from + c] ?? 0);
    }
  }
  return {
    width,
    height,
    rgb: bytes.toString("base64"),
    box: { x0: box.x0 - x0, y0: box.y0 - y0, x1: box.x1 - x0, y1: box.y1 - y0 },
  };
}

const side = z.number().int().min(1).max(MAX_CROP_SIDE);
const coordinate = z.number().min(0).max(MAX_CROP_SIDE);
export const wireCropSchema = z.strictObject({
  width: side,
  height: side,
  rgb: z.base64(),
  box: z.strictObject({ x0: coordinate, y0: coordinate, x1: coordinate, y1: coordinate }),
});

export function cropFromWire(crop: z.infer<typeof wireCropSchema>, index: number): CropSource {
  const bytes = Buffer.from(crop.rgb, "base64");
  if (bytes.length !== crop.width * crop.height * 3) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `crops[${index}]: rgb has ${bytes.length} bytes, expected ${crop.width} x ${crop.height} x 3`,
    );
  }
  const { box } = crop;
  if (box.x1 <= box.x0 || box.y1 <= box.y0 || box.x1 > crop.width || box.y1 > crop.height) {
    throw new ClusterError("INVALID_ARGUMENT", `crops[${index}]: box is empty or outside the crop`);
  }
  return { image: { width: crop.width, height: crop.height, data: Float32Array.from(bytes) }, box };
}
