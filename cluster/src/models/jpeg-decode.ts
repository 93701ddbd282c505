/**
 * JPEG images for the OCR pipeline, decoded by jpeg-js (a maintained pure-JavaScript decoder
 * from npm: baseline and progressive, greyscale, YCbCr and CMYK). Its own limits are set from
 * ours, so a file whose header lies about its size cannot make it allocate more than an image
 * MAX_IMAGE_SIDE x MAX_IMAGE_SIDE needs. A file it cannot decode is INVALID_ARGUMENT.
 */
import jpeg from "jpeg-js";
import { ClusterError } from "../errors.js";
import { MAX_IMAGE_SIDE, type RgbImage } from "./ocr-image.js";

const MAX_MEGAPIXELS = (MAX_IMAGE_SIDE * MAX_IMAGE_SIDE) / 1e6;
/** Decoder working memory, MB: the RGB(A) pixels of the largest image and its component planes. */
const MAX_DECODER_MEMORY_MB = 256;

export function decodeJpeg(bytes: Uint8Array): RgbImage {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: MAX_MEGAPIXELS,
      maxMemoryUsageInMB: MAX_DECODER_MEMORY_MB,
    });
  } catch (err) {
    throw new ClusterError("INVALID_ARGUMENT", `jpeg: cannot decode (${(err as Error).message})`);
  }
  const { width, height, data } = decoded;
  if (width < 1 || height < 1 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE)
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `jpeg: ${width}x${height}: each side must be 1..${MAX_IMAGE_SIDE} px`,
    );
  if (data.length < width * height * 3)
    throw new ClusterError("INVALID_ARGUMENT", "jpeg: fewer pixels than its size says");
  return { width, height, data: Float32Array.from(data.subarray(0, width * height * 3)) };
}
