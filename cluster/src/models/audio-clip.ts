/**
 * Audio for speech detection (silero-vad.ts): a WAV file as people have it, or raw 16 kHz mono
 * 16-bit little-endian PCM ("pcm_s16le").
 *
 * inspectAudio reads only the header: a WAV's RIFF chunks up to its `data` chunk (its format:
 * PCM or IEEE float, 8/16/24/32-bit, 1..MAX_CHANNELS channels, MIN_RATE_HZ..MAX_RATE_HZ), and
 * the clip's duration from the data chunk's declared size, so the api refuses a clip over its
 * limit at submit before anything is decoded or held. decodeAudio then decodes with wavefile
 * (a maintained WAV library from npm), mixes the channels down to mono and resamples to 16 kHz
 * with wavefile's resampler (cubic, with its low-pass filter against aliasing), to [-1, 1].
 */
import wavefile from "wavefile";
import { ClusterError } from "../errors.js";

export type AudioFormat = "wav" | "pcm_s16le";

export interface AudioHeader {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  durationMs: number;
}

const TARGET_RATE_HZ = 16_000;
const MIN_RATE_HZ = 8_000;
const MAX_RATE_HZ = 192_000;
const MAX_CHANNELS = 8;
const WAVE_PCM = 1;
const WAVE_FLOAT = 3;
const WAVE_EXTENSIBLE = 0xfffe;
const FMT_MIN_LENGTH = 16;

const bad = (why: string) => new ClusterError("INVALID_ARGUMENT", `audio: ${why}`);

/** The clip's format and duration from its header, or INVALID_ARGUMENT saying what is wrong. */
export function inspectAudio(bytes: Uint8Array, format: AudioFormat): AudioHeader {
  if (format === "pcm_s16le") {
    if (bytes.length % 2 !== 0) throw bad("pcm_s16le must be whole 16-bit samples (an even byte count)");
    if (bytes.length === 0) throw bad("no samples");
    const samples = bytes.length / 2;
    return {
      sampleRate: TARGET_RATE_HZ,
      channels: 1,
      bitsPerSample: 16,
      durationMs: (samples / TARGET_RATE_HZ) * 1000,
    };
  }
  const ascii = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || ascii(0) !== "RIFF" || ascii(8) !== "WAVE")
    throw bad("not a WAV file (no RIFF/WAVE header); send raw 16 kHz mono 16-bit PCM with format pcm_s16le");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Omit<AudioHeader, "durationMs"> | undefined;
  for (let at = 12; ; ) {
    if (at + 8 > bytes.length) throw bad(fmt ? "WAV without a data chunk" : "WAV without a fmt chunk");
    const id = ascii(at);
    const size = view.getUint32(at + 4, true);
    if (id === "fmt ") {
      if (size < FMT_MIN_LENGTH || at + 8 + size > bytes.length) throw bad("WAV with a short fmt chunk");
      fmt = formatOf(view, at + 8);
    } else if (id === "data") {
      if (!fmt) throw bad("WAV whose data chunk comes before its fmt chunk");
      const frameBytes = (fmt.channels * fmt.bitsPerSample) / 8;
      const frames = Math.floor(size / frameBytes);
      if (frames === 0) throw bad("WAV with no samples");
      const durationMs = (frames / fmt.sampleRate) * 1000;
      // The duration is the header's; checked against the limit first (by the caller), then
      // the samples must all be there.
      return { ...fmt, durationMs };
    }
    at += 8 + size + (size % 2);
  }
}

function formatOf(view: DataView, at: number): Omit<AudioHeader, "durationMs"> {
  const tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (tag !== WAVE_PCM && tag !== WAVE_FLOAT && tag !== WAVE_EXTENSIBLE)
    throw bad(`WAV encoding ${tag} (only PCM and IEEE float)`);
  if (channels < 1 || channels > MAX_CHANNELS)
    throw bad(`WAV with ${channels} channels (1..${MAX_CHANNELS})`);
  if (sampleRate < MIN_RATE_HZ || sampleRate > MAX_RATE_HZ)
    throw bad(`WAV at ${sampleRate} Hz (${MIN_RATE_HZ}..${MAX_RATE_HZ})`);
  if (![8, 16, 24, 32].includes(bitsPerSample))
    throw bad(`WAV with ${bitsPerSample}-bit samples (8, 16, 24, 32)`);
  return { sampleRate, channels, bitsPerSample };
}

/** The clip as 16 kHz mono samples in [-1, 1]. */
export function decodeAudio(bytes: Uint8Array, format: AudioFormat): Float32Array {
  const header = inspectAudio(bytes, format);
  if (format === "pcm_s16le") {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Float32Array.from({ length: bytes.length / 2 }, (_, i) => view.getInt16(i * 2, true) / 32768);
  }
  const wav = new wavefile.WaveFile();
  try {
    wav.fromBuffer(bytes);
    if (header.sampleRate !== TARGET_RATE_HZ) wav.toSampleRate(TARGET_RATE_HZ);
  } catch (err) {
    throw bad(`cannot decode the WAV file (${(err as Error).message})`);
  }
  const channels = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
  const planes = Array.isArray(channels) ? channels : [channels];
  const frames = planes[0]?.length ?? 0;
  const expected = Math.floor((header.durationMs / 1000) * TARGET_RATE_HZ);
  if (frames + 1 < expected) throw bad("truncated WAV (fewer samples than its header says)");
  const scale = fullScale(wav.bitDepth);
  const offset = wav.bitDepth === "8" ? 128 : 0;
  const mono = new Float32Array(frames);
  for (const plane of planes) {
    for (let i = 0; i < frames; i++) mono[i] = (mono[i] as number) + ((plane[i] as number) - offset) / scale;
  }
  for (let i = 0; i < frames; i++) mono[i] = Math.max(-1, Math.min(1, (mono[i] as number) / planes.length));
  return mono;
}

/** What a sample of this wavefile bit depth is at full scale. */
function fullScale(bitDepth: string): number {
  if (bitDepth === "32f" || bitDepth === "64f") return 1;
  const bits = Number.parseInt(bitDepth, 10);
  return 2 ** (bits - 1);
}
