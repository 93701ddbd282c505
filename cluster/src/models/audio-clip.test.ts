import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeAudio, inspectAudio } from "./audio-clip.js";
import { wavBytes } from "./speech-test-audio.js";

/** A 16-bit mono WAV header declaring `seconds` of 16 kHz audio, with only a little of it. */
function wavHeaderFor(seconds: number): Uint8Array {
  const bytes = wavBytes(new Float32Array(1600), 16_000);
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(40, seconds * 16_000 * 2, true);
  return bytes;
}

describe("audio clips", () => {
  it("reads a WAV's rate, channels and duration from its header", () => {
    const wav = wavBytes(new Float32Array(44_100), 44_100, 2);
    assert.deepEqual(inspectAudio(wav, "wav"), {
      sampleRate: 44_100,
      channels: 2,
      bitsPerSample: 16,
      durationMs: 1000,
    });
  });

  it("decodes 44.1 kHz stereo to 16 kHz mono in [-1, 1]", () => {
    const tone = Float32Array.from(
      { length: 44_100 },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 44_100),
    );
    const mono = decodeAudio(wavBytes(tone, 44_100, 2), "wav");
    assert.ok(Math.abs(mono.length - 16_000) <= 1, String(mono.length));
    const middle = mono.subarray(1000, 15_000);
    const rms = Math.sqrt(middle.reduce((s, x) => s + x * x, 0) / middle.length);
    assert.ok(Math.abs(rms - 0.5 / Math.SQRT2) < 0.02, `rms ${rms}, a 0.5 sine's is 0.354`);
  });

  it("gives a one-hour header's duration without reading its data", () => {
    assert.equal(inspectAudio(wavHeaderFor(3600), "wav").durationMs, 3_600_000);
  });

  it("refuses a wrong header, and a truncated WAV when decoding", () => {
    const wav = wavBytes(new Float32Array(1600), 16_000);
    const wrong = Uint8Array.from(wav);
    wrong.set([0x57, 0x41, 0x56, 0x58], 8); // "WAVX"
    assert.throws(() => inspectAudio(wrong, "wav"), { code: "INVALID_ARGUMENT", message: /not a WAV file/ });
    assert.throws(() => decodeAudio(wavHeaderFor(2), "wav"), {
      code: "INVALID_ARGUMENT",
      message: /truncated WAV/,
    });
    assert.throws(() => inspectAudio(Buffer.alloc(3), "pcm_s16le"), { message: /whole 16-bit samples/ });
  });
});
