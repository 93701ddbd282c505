/**
 * A file a person picked for an OCR or speech-detection task: read once into base64 (what
 * submitTask takes), checked against the same limits the server applies at submit, so a file
 * that would be refused anyway is refused here with the reason, before anything is sent.
 */
import { rawPcmInfoOf, type WavInfo, wavInfoOf } from "./wav-peaks.js";

/** An OCR image's largest size, as the server's default (DEFAULT_OCR_LIMITS in schema/src/task-kind.ts). */
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;
/**
 * The largest audio file: the server limits a clip by its length, and the request that carries
 * it base64-encoded (4 bytes per 3) by MAX_REQUEST_BYTES (16 MiB, api/src/server/http-errors.ts).
 */
export const MAX_AUDIO_BYTES = 11 * 1024 * 1024;
/** A clip's longest duration, as the server's default (DEFAULT_VAD_CONFIG in schema/src/task-kind.ts). */
export const MAX_AUDIO_MS = 300_000;

/** An OCR image, a WAV clip, or raw 16 kHz mono pcm_s16le audio (submitted with that format). */
export type MediaKind = "image" | "audio" | "pcm";

export interface PickedFile {
  name: string;
  bytes: number;
  /** The file's bytes, base64: the task's `image` or `audio`. */
  base64: string;
  /** The image as a data: URL (the page's CSP admits data: images), for the preview. */
  imageUrl?: string;
  /** A WAV's format, length and waveform, when its header could be read. */
  wav?: WavInfo;
}

/** "1.2 MiB", "830 KiB", "512 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

/** Why this file cannot be sent, or null when it can. */
function refusalOf(kind: MediaKind, file: { name: string; size: number }): string | null {
  const max = kind === "image" ? MAX_IMAGE_BYTES : MAX_AUDIO_BYTES;
  if (file.size === 0) return `${file.name} is empty`;
  if (file.size > max) {
    const what = kind === "image" ? "image" : "audio file";
    return `${file.name} is ${file.size.toLocaleString("en")} bytes; the largest ${what} a task takes is ${formatBytes(max)} (${max.toLocaleString("en")} bytes)`;
  }
  return null;
}

/** Reads a file the limits admit; throws with the reason when they do not. */
export async function readPicked(kind: MediaKind, file: File): Promise<PickedFile> {
  const refusal = refusalOf(kind, file);
  if (refusal) throw new Error(refusal);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const base64 = toBase64(bytes);
  const picked: PickedFile = { name: file.name, bytes: file.size, base64 };
  if (kind === "image") {
    picked.imageUrl = `data:${file.type || "image/png"};base64,${base64}`;
    return picked;
  }
  const wav = kind === "pcm" ? rawPcmInfoOf(bytes) : wavInfoOf(bytes);
  if (wav && wav.durationMs > MAX_AUDIO_MS) {
    throw new Error(
      `${file.name} is ${(wav.durationMs / 1000).toFixed(1)} s long; a clip may be at most ${MAX_AUDIO_MS / 1000} s`,
    );
  }
  if (wav) picked.wav = wav;
  return picked;
}

/** Base64 of bytes, in slices so that no argument list grows with the file. */
function toBase64(bytes: Uint8Array): string {
  const SLICE = 0x8000;
  let binary = "";
  for (let i = 0; i < bytes.length; i += SLICE) {
    binary += String.fromCharCode(...bytes.subarray(i, i + SLICE));
  }
  return btoa(binary);
}

/** The bytes of base64 text. */
function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** What the page can draw a typed result over: the image sent, or the clip's waveform. */
export interface MediaPreview {
  imageUrl?: string;
  peaks?: number[];
}

/** The preview of a stored task's input (Task.input) of an OCR or speech-detection task. */
export function previewOfInput(kind: string, input: unknown): MediaPreview {
  const fields = (input ?? {}) as { image?: unknown; audio?: unknown; format?: unknown };
  try {
    if (kind === "OCR" && typeof fields.image === "string") {
      const jpeg = fields.image.startsWith("/9j/");
      return { imageUrl: `data:image/${jpeg ? "jpeg" : "png"};base64,${fields.image}` };
    }
    if (kind === "VAD" && typeof fields.audio === "string") {
      const bytes = fromBase64(fields.audio);
      return { peaks: (fields.format === "pcm_s16le" ? rawPcmInfoOf(bytes) : wavInfoOf(bytes))?.peaks ?? [] };
    }
  } catch {
    // Not base64 after all: the result is drawn without it.
  }
  return {};
}
