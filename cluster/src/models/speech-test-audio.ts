/**
 * A speech-like clip with a known answer: for tests of speech detection, and for the platform's
 * known-answer speech tasks (canaries and onboarding of a speech model; seeded per clip). Voiced "syllables"
 * are a glottal pulse train (a pitch contour around 140 Hz with jitter) through three formant
 * resonators that glide between vowels (/a/, /i/, /u/, /e/, /o/), under a syllabic envelope of
 * about 4 syllables a second, with short noise bursts for consonants; silence (a faint noise
 * floor) before and after. Deterministic for a seed (prng.ts).
 */
import wavefile from "wavefile";
import { mulberry32 } from "./prng.js";

const SPEECH_TEST_RATE_HZ = 16_000;

/** Formants F1, F2, F3 (Hz) of five vowels, an adult voice. */
const VOWELS: readonly [number, number, number][] = [
  [730, 1090, 2440],
  [270, 2290, 3010],
  [300, 870, 2240],
  [530, 1840, 2480],
  [570, 840, 2410],
];
const SYLLABLE_MS = 240;
const FORMANT_BANDWIDTH_HZ = [90, 110, 170];
const NOISE_FLOOR = 0.0005;

export interface SpeechClip {
  samples: Float32Array;
  rateHz: number;
  /** Where the speech is, milliseconds. */
  speech: { startMs: number; endMs: number };
}

/** silenceMs of quiet, speechMs of speech-like sound, silenceMs of quiet, at `rateHz`. */
export function speechLikeClip(opts: {
  silenceMs: number;
  speechMs: number;
  rateHz?: number;
  seed?: number;
}): SpeechClip {
  const rate = opts.rateHz ?? SPEECH_TEST_RATE_HZ;
  const random = mulberry32(opts.seed ?? 7);
  const n = (ms: number) => Math.round((ms / 1000) * rate);
  const lead = n(opts.silenceMs);
  const voiced = n(opts.speechMs);
  const samples = new Float32Array(lead * 2 + voiced);
  for (let i = 0; i < samples.length; i++) samples[i] = (random() * 2 - 1) * NOISE_FLOOR;
  const source = glottalSource(voiced, rate, random);
  const syllable = n(SYLLABLE_MS);
  const state = FORMANT_BANDWIDTH_HZ.map(() => [0, 0]);
  let peak = 0;
  const voice = new Float32Array(voiced);
  for (let i = 0; i < voiced; i++) {
    const s = Math.floor(i / syllable);
    const phase = (i % syllable) / syllable;
    const from = VOWELS[s % VOWELS.length] as [number, number, number];
    const to = VOWELS[(s + 1) % VOWELS.length] as [number, number, number];
    const glide = Math.max(0, (phase - 0.6) / 0.4);
    // A consonant at each syllable's start: a short noise burst instead of voicing.
    let x = phase < 0.12 ? (random() * 2 - 1) * 0.3 : (source[i] as number);
    for (let f = 0; f < 3; f++) {
      const freq = (from[f] as number) * (1 - glide) + (to[f] as number) * glide;
      x = resonate(x, freq, FORMANT_BANDWIDTH_HZ[f] as number, rate, state[f] as number[]);
    }
    const envelope = Math.sin(Math.PI * Math.min(1, phase * 1.15)) ** 0.6;
    voice[i] = x * envelope;
    peak = Math.max(peak, Math.abs(x * envelope));
  }
  for (let i = 0; i < voiced; i++) samples[lead + i] = ((voice[i] as number) / peak) * 0.6;
  return {
    samples,
    rateHz: rate,
    speech: { startMs: opts.silenceMs, endMs: opts.silenceMs + opts.speechMs },
  };
}

/** A pulse train with a falling-rising pitch contour and 1% jitter. */
function glottalSource(length: number, rate: number, random: () => number): Float32Array {
  const out = new Float32Array(length);
  let phase = 0;
  for (let i = 0; i < length; i++) {
    const t = i / rate;
    const f0 = 140 + 25 * Math.sin(2 * Math.PI * 0.7 * t) + (random() - 0.5) * 2.8;
    phase += f0 / rate;
    if (phase >= 1) phase -= 1;
    // Rosenberg-like pulse: open phase a raised cosine, closed phase zero; differentiated.
    out[i] = phase < 0.6 ? Math.sin((Math.PI * phase) / 0.6) : 0;
  }
  for (let i = length - 1; i > 0; i--) out[i] = (out[i] as number) - (out[i - 1] as number);
  return out;
}

/** A two-pole resonator (one formant), its state [y1, y2] carried between samples. */
function resonate(x: number, freq: number, bandwidth: number, rate: number, state: number[]): number {
  const r = Math.exp((-Math.PI * bandwidth) / rate);
  const a1 = 2 * r * Math.cos((2 * Math.PI * freq) / rate);
  const a2 = -r * r;
  const y = (1 - r) * x + a1 * (state[0] as number) + a2 * (state[1] as number);
  state[1] = state[0] as number;
  state[0] = y;
  return y;
}

/** As a 16-bit PCM WAV file with `channels` copies of the clip (written by wavefile). */
export function wavBytes(samples: Float32Array, rateHz: number, channels = 1): Uint8Array {
  const pcm = Int16Array.from(samples, (s) => Math.round(Math.max(-1, Math.min(1, s)) * 32767));
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels, rateHz, "16", channels === 1 ? pcm : Array.from({ length: channels }, () => pcm));
  return wav.toBuffer();
}
