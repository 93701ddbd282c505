/**
 * The inputs of the media task kinds (task-kind.ts in @neurogrid/schema), checked at submit from
 * the file's header alone, before anything is decoded or held:
 *   ocr  { image: base64 PNG or JPEG }: at most maxImageBytes, a PNG or JPEG whole up to its end
 *        marker, at most maxPixels and MAX_IMAGE_SIDE a side (image-header.ts in cluster);
 *   vad  { audio: base64, format?: "wav" | "pcm_s16le" }: a WAV whose header the decoder takes
 *        (audio-clip.ts in cluster), at most maxDurationMs long.
 * Limits are the manifest's task config, DEFAULT_OCR_LIMITS / DEFAULT_VAD_CONFIG where absent.
 * Every refusal is BAD_USER_INPUT naming the field (`param`), so nothing is charged for it.
 */
import { type AudioFormat, inspectAudio, inspectImage, MAX_IMAGE_SIDE } from "@neurogrid/cluster/models";
import {
  DEFAULT_OCR_LIMITS,
  DEFAULT_VAD_CONFIG,
  type ModelManifest,
  type OcrTaskConfig,
  type VadTaskConfig,
} from "@neurogrid/schema";
import { z } from "zod";
import { badInput } from "../errors.js";

const ocrInputSchema = z.strictObject({ image: z.string().min(1) });
const vadInputSchema = z.strictObject({
  audio: z.string().min(1),
  format: z.enum(["wav", "pcm_s16le"]).optional(),
});

export function ocrInputOf(label: string, manifest: ModelManifest, raw: unknown): Record<string, unknown> {
  const config = (manifest.task?.kind === "ocr" ? manifest.task : {}) as Partial<OcrTaskConfig>;
  const maxBytes = config.maxImageBytes ?? DEFAULT_OCR_LIMITS.maxImageBytes;
  const maxPixels = config.maxPixels ?? DEFAULT_OCR_LIMITS.maxPixels;
  const parsed = ocrInputSchema.safeParse(raw);
  if (!parsed.success)
    throw badInput(`input of ${label} (OCR) must be { image: base64 PNG or JPEG bytes }`, { param: "image" });
  const bytes = base64Bytes(parsed.data.image, maxBytes, "image");
  const header = fromHeader(() => inspectImage(bytes), "image");
  const pixels = header.width * header.height;
  if (pixels > maxPixels || header.width > MAX_IMAGE_SIDE || header.height > MAX_IMAGE_SIDE) {
    throw badInput(
      `image: ${header.width}x${header.height} is over the limit (${maxPixels} pixels, ${MAX_IMAGE_SIDE} a side)`,
      { param: "image" },
    );
  }
  return { image: parsed.data.image };
}

export function vadInputOf(label: string, manifest: ModelManifest, raw: unknown): Record<string, unknown> {
  const config = (manifest.task?.kind === "vad" ? manifest.task : {}) as Partial<VadTaskConfig>;
  const maxDurationMs = config.maxDurationMs ?? DEFAULT_VAD_CONFIG.maxDurationMs;
  const parsed = vadInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw badInput(`input of ${label} (speech detection) must be { audio: base64 WAV, format? }`, {
      param: "audio",
    });
  }
  const format: AudioFormat = parsed.data.format ?? "wav";
  // Bytes bound by the request's own size limit; the duration is what is limited.
  const bytes = base64Bytes(parsed.data.audio, Number.POSITIVE_INFINITY, "audio");
  const header = fromHeader(() => inspectAudio(bytes, format), "audio");
  if (header.durationMs > maxDurationMs) {
    throw badInput(
      `audio: the clip is ${(header.durationMs / 1000).toFixed(1)} s long; at most ${maxDurationMs / 1000} s (submit it in parts)`,
      { param: "audio" },
    );
  }
  return { audio: parsed.data.audio, format };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of a base64 field, refused unread when its length says they are over `maxBytes`. */
function base64Bytes(text: string, maxBytes: number, param: string): Buffer {
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw badInput(`${param}: not base64`, { param });
  const size = (text.length / 4) * 3 - (text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0);
  if (size > maxBytes) throw badInput(`${param}: ${size} bytes is over the limit of ${maxBytes}`, { param });
  return Buffer.from(text, "base64");
}

/** What the header check found wrong, as BAD_USER_INPUT. */
function fromHeader<T>(inspect: () => T, param: string): T {
  try {
    return inspect();
  } catch (err) {
    throw badInput(err instanceof Error ? err.message : String(err), { param });
  }
}
