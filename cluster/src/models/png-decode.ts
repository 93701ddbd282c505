/**
 * A small PNG decoder for the OCR pipeline's `png` input (base64 bytes), so a caller can send a
 * compressed image instead of a nested pixel array. Node's zlib inflates the IDAT stream; this
 * file checks the signature and undoes the per-row filters (PNG spec, section 9).
 *
 * Supported: bit depth 8, colour types 0 (grey), 2 (RGB), 4 (grey + alpha), 6 (RGBA), not
 * interlaced: what canvases and screenshots write. Anything else is refused by name
 * (INVALID_ARGUMENT), as is a corrupt file. Alpha is dropped (the pipeline reads RGB).
 */
import { inflateSync } from "node:zlib";
import { ClusterError } from "../errors.js";
import { MAX_IMAGE_SIDE, type RgbImage } from "./ocr-image.js";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function decodePng(bytes: Uint8Array): RgbImage {
  const bad = (why: string) => new ClusterError("INVALID_ARGUMENT", `png: ${why}`);
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b))
    throw bad("not a PNG file (bad signature)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (data.length !== length) throw bad(`truncated ${type} chunk`);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      channels = CHANNELS[colour ?? -1] ?? 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) {
        throw bad(
          `bit depth ${depth}, colour type ${colour}, interlace ${interlace}: only 8-bit grey/RGB/RGBA, not interlaced`,
        );
      }
      if (width < 1 || height < 1 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
        throw bad(`${width}x${height}: each side must be 1..${MAX_IMAGE_SIDE} px`);
      }
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    at += 12 + length;
  }
  if (channels === 0) throw bad("no IHDR chunk");
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (err) {
    throw bad(`corrupt image data (${(err as Error).message})`);
  }
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw bad("image data is shorter than its size says");
  return { width, height, data: toRgb(unfilter(raw, width, height, channels), width * height, channels) };
}

function unfilter(raw: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? (out[row + x - bpp] as number) : 0;
      const b = y > 0 ? (out[row - stride + x] as number) : 0;
      const c = x >= bpp && y > 0 ? (out[row - stride + x - bpp] as number) : 0;
      const v = raw[src + x] as number;
      let predicted = 0;
      if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) predicted = paeth(a, b, c);
      else if (filter !== 0) throw new ClusterError("INVALID_ARGUMENT", `png: unknown row filter ${filter}`);
      out[row + x] = (v + predicted) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

function toRgb(pixels: Uint8Array, count: number, channels: number): Float32Array {
  const rgb = new Float32Array(count * 3);
  const grey = channels <= 2;
  for (let p = 0; p < count; p++) {
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = pixels[p * channels + (grey ? 0 : c)] as number;
  }
  return rgb;
}
