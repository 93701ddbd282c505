/**
 * What the page reads from a WAV file itself: its rate, channels and length from the header,
 * and a waveform (the loudest sample of each of WAVEFORM_BUCKETS stretches, 0..1) for 8- and
 * 16-bit PCM; the same for raw pcm_s16le. Anything it cannot read is left to the server, which says what is wrong.
 */

/** Stretches the waveform is drawn in. */
const WAVEFORM_BUCKETS = 240;

export interface WavInfo {
  rateHz: number;
  channels: number;
  bitsPerSample: number;
  durationMs: number;
  /** Loudness per stretch, 0..1; empty when the encoding is not 8- or 16-bit PCM. */
  peaks: number[];
}

const PCM = 1;
const EXTENSIBLE = 0xfffe;

/** The WAV's format and waveform, or null when the bytes are not a WAV this page can read. */
export function wavInfoOf(bytes: Uint8Array): WavInfo | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") return null;
  let format: { code: number; channels: number; rateHz: number; bits: number } | null = null;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt " && body + 16 <= bytes.length) {
      format = {
        code: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        rateHz: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === "data" && format && format.channels > 0 && format.rateHz > 0) {
      const frameBytes = format.channels * Math.max(1, format.bits / 8);
      const durationMs = (size / frameBytes / format.rateHz) * 1000;
      const end = Math.min(bytes.length, body + size);
      const pcm = format.code === PCM || format.code === EXTENSIBLE;
      const peaks =
        pcm && (format.bits === 8 || format.bits === 16)
          ? peaksOf(view, body, end, format.bits, frameBytes)
          : [];
      return {
        rateHz: format.rateHz,
        channels: format.channels,
        bitsPerSample: format.bits,
        durationMs,
        peaks,
      };
    }
    at = body + size + (size % 2);
  }
  return null;
}

/** Raw audio as the server takes it with format pcm_s16le: 16 kHz mono, 16-bit little-endian. */
const RAW_PCM_RATE_HZ = 16_000;

/** The length and waveform of raw pcm_s16le bytes. */
export function rawPcmInfoOf(bytes: Uint8Array): WavInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - (bytes.length % 2);
  return {
    rateHz: RAW_PCM_RATE_HZ,
    channels: 1,
    bitsPerSample: 16,
    durationMs: (end / 2 / RAW_PCM_RATE_HZ) * 1000,
    peaks: peaksOf(view, 0, end, 16, 2),
  };
}

/** The loudest first-channel sample of each stretch, 0..1. */
function peaksOf(view: DataView, start: number, end: number, bits: number, frameBytes: number): number[] {
  const frames = Math.floor((end - start) / frameBytes);
  if (frames === 0) return [];
  const peaks = new Array<number>(WAVEFORM_BUCKETS).fill(0);
  const per = frames / WAVEFORM_BUCKETS;
  for (let f = 0; f < frames; f++) {
    const at = start + f * frameBytes;
    const sample =
      bits === 16 ? Math.abs(view.getInt16(at, true)) / 32768 : Math.abs(view.getUint8(at) - 128) / 128;
    const bucket = Math.min(WAVEFORM_BUCKETS - 1, Math.floor(f / per));
    if (sample > (peaks[bucket] ?? 0)) peaks[bucket] = sample;
  }
  return peaks;
}
