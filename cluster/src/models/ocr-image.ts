/**
 * Images for the OCR pipeline (ppocr-v4.ts): the caller's image tensor, and resized, normalised
 * CHW crops of it as the PP-OCR graphs take them.
 *
 * The image arrives as a nested array [H][W][C], C = 3 (RGB) or 4 (RGBA, alpha ignored), values
 * 0..255. PaddleOCR's graphs were trained on OpenCV's BGR images, so the CHW tensors here are
 * BGR; each channel is normalised as (value/255 - mean[c]) / std[c]. Resizing is bilinear, with
 * pixel centres aligned (OpenCV's INTER_LINEAR).
 */
import { ClusterError } from "../errors.js";
import { tensorFromNested } from "../runtime/tensor.js";

/** Row-major H x W x 3, RGB, 0..255. */
export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** A rectangle in pixel coordinates: [x0, x1) x [y0, y1). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export const MAX_IMAGE_SIDE = 4096;

export function parseImage(value: unknown): RgbImage {
  const parsed = tensorFromNested({ name: "image", dtype: "float32", shape: [-1, -1, -1] }, value);
  if (!parsed.ok) throw new ClusterError("INVALID_ARGUMENT", parsed.message);
  const [height = 0, width = 0, channels = 0] = parsed.tensor.dims;
  if (channels !== 3 && channels !== 4) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `image: expected [H][W][3] (RGB) or [H][W][4] (RGBA), got ${channels} channels`,
    );
  }
  if (height > MAX_IMAGE_SIDE || width > MAX_IMAGE_SIDE) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `image: ${width}x${height} is larger than ${MAX_IMAGE_SIDE} px on a side`,
    );
  }
  const source = parsed.tensor.data as Float32Array;
  const data = new Float32Array(height * width * 3);
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < 3; c++) {
      const v = source[p * channels + c] as number;
      if (v < 0 || v > 255) {
        throw new ClusterError("INVALID_ARGUMENT", `image: pixel values must be 0..255, got ${v}`);
      }
      data[p * 3 + c] = v;
    }
  }
  return { width, height, data };
}

export interface Normalisation {
  /** Per BGR channel. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/**
 * The region `box` of `image` resized to outW x outH, normalised, written as BGR planes into
 * `target` (a [3][rowsOut][stride] CHW block) at column 0; columns past outW are left as is.
 */
export function writeResizedChw(
  image: RgbImage,
  box: Box,
  outW: number,
  outH: number,
  norm: Normalisation,
  target: Float32Array,
  targetOffset: number,
  stride: number,
  planeSize: number,
): void {
  const scaleX = (box.x1 - box.x0) / outW;
  const scaleY = (box.y1 - box.y0) / outH;
  for (let y = 0; y < outH; y++) {
    const sy = clamp(box.y0 + (y + 0.5) * scaleY - 0.5, 0, image.height - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, image.height - 1);
    const fy = sy - y0;
    for (let x = 0; x < outW; x++) {
      const sx = clamp(box.x0 + (x + 0.5) * scaleX - 0.5, 0, image.width - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, image.width - 1);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => image.data[(yy * image.width + xx) * 3 + c] as number;
        const top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
        const bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
        const value = top * (1 - fy) + bottom * fy;
        const plane = 2 - c; // RGB -> BGR
        target[targetOffset + plane * planeSize + y * stride + x] =
          (value / 255 - (norm.mean[plane] as number)) / (norm.std[plane] as number);
      }
    }
  }
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
