/**
 * What an encoded image is, from its structure alone, before any pixel is decoded: its format
 * (PNG or JPEG, by signature) and its size from the header (PNG's IHDR, JPEG's SOF segment).
 * The api checks an OCR task's limits with this at submit (bytes, width x height), so a huge
 * or broken image is refused before anything is held; the OCR actor checks the same before
 * decoding.
 *
 * The walk also finds a truncated file: every PNG chunk must be whole up to IEND, and a JPEG's
 * segments must be whole up to its scan, which must end with EOI. Pixel data itself is checked
 * only by decoding (png-decode.ts, jpeg-decode.ts).
 */
import { ClusterError } from "../errors.js";

type ImageFormat = "png" | "jpeg";

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_IHDR_LENGTH = 13;
/** JPEG start-of-frame markers (baseline, progressive, lossless...): not DHT (C4), JPG (C8), DAC (CC). */
const JPEG_SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const JPEG_SOS = 0xda;
const JPEG_EOI = 0xd9;

const bad = (why: string) => new ClusterError("INVALID_ARGUMENT", `image: ${why}`);

/** The image's format and size, or INVALID_ARGUMENT saying what is wrong with it. */
export function inspectImage(bytes: Uint8Array): ImageHeader {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return pngHeader(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegHeader(bytes);
  throw bad("not a PNG or JPEG file (unknown signature)");
}

function pngHeader(bytes: Uint8Array): ImageHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: ImageHeader | undefined;
  for (let at = PNG_SIGNATURE.length; ; ) {
    if (at + 8 > bytes.length) throw bad("truncated PNG (it ends before its IEND chunk)");
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) throw bad(`truncated PNG (its ${type} chunk is cut short)`);
    if (header === undefined) {
      if (type !== "IHDR" || length !== PNG_IHDR_LENGTH) throw bad("PNG without an IHDR chunk first");
      header = { format: "png", width: view.getUint32(at + 8), height: view.getUint32(at + 12) };
    }
    if (type === "IEND") return checked(header);
    at += 12 + length;
  }
}

function jpegHeader(bytes: Uint8Array): ImageHeader {
  let header: ImageHeader | undefined;
  for (let at = 2; ; ) {
    if (at + 4 > bytes.length) throw bad("truncated JPEG (it ends inside its headers)");
    if (bytes[at] !== 0xff) throw bad(`corrupt JPEG (no marker at byte ${at})`);
    const marker = bytes[at + 1] as number;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    const length = ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
    if (length < 2 || at + 2 + length > bytes.length) throw bad("truncated JPEG (a segment is cut short)");
    if (JPEG_SOF.has(marker) && header === undefined) {
      if (length < 7) throw bad("corrupt JPEG (short frame header)");
      const height = ((bytes[at + 5] as number) << 8) | (bytes[at + 6] as number);
      const width = ((bytes[at + 7] as number) << 8) | (bytes[at + 8] as number);
      header = { format: "jpeg", width, height };
    }
    if (marker === JPEG_SOS) {
      if (!header) throw bad("corrupt JPEG (a scan before its frame header)");
      if (!endsWithEoi(bytes)) throw bad("truncated JPEG (no end-of-image marker)");
      return checked(header);
    }
    at += 2 + length;
  }
}

/** Whether the file's last marker is EOI (trailing zero padding allowed, as some encoders write). */
function endsWithEoi(bytes: Uint8Array): boolean {
  let end = bytes.length;
  while (end > 2 && bytes[end - 1] === 0) end--;
  return bytes[end - 2] === 0xff && bytes[end - 1] === JPEG_EOI;
}

function checked(header: ImageHeader): ImageHeader {
  if (header.width < 1 || header.height < 1) throw bad(`${header.width}x${header.height} has no pixels`);
  return header;
}
