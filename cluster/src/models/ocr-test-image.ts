/**
 * Test support for OCR: text rendered with a known font, as the tests' known answers.
 *
 * The canvas draws text only with a font it knows; no npm package here ships one, so the tests
 * register a system font explicitly: DejaVu Sans Bold, from Debian's fonts-dejavu-core (CI
 * installs it).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { type Canvas, createCanvas, GlobalFonts, type SKRSContext2D } from "@napi-rs/canvas";

const FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
const FONT_FAMILY = "OcrTestSans";

/** Registers the test font; fails with what to install when it is missing. */
export function registerTestFont(): void {
  assert.ok(existsSync(FONT_FILE), `${FONT_FILE} is missing: install Debian's fonts-dejavu-core`);
  assert.ok(GlobalFonts.registerFromPath(FONT_FILE, FONT_FAMILY), `cannot register ${FONT_FILE}`);
}

/** `text` in large black letters on white, with a 40 px margin. */
export function drawText(text: string, height: number): { canvas: Canvas; g: SKRSContext2D; width: number } {
  const font = `64px ${FONT_FAMILY}`;
  const measure = createCanvas(8, 8).getContext("2d");
  measure.font = font;
  const width = Math.ceil(measure.measureText(text).width) + 80;
  const canvas = createCanvas(width, height);
  const g = canvas.getContext("2d");
  g.fillStyle = "#ffffff";
  g.fillRect(0, 0, width, height);
  g.fillStyle = "#000000";
  g.font = font;
  g.textBaseline = "middle";
  g.fillText(text, 40, height / 2);
  return { canvas, g, width };
}

/** As an [H][W][4] RGBA tensor. */
export function renderText(text: string, height: number): number[][][] {
  const { g, width } = drawText(text, height);
  const { data } = g.getImageData(0, 0, width, height);
  return Array.from({ length: height }, (_, y) =>
    Array.from({ length: width }, (_, x) => {
      const i = (y * width + x) * 4;
      return [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0, data[i + 3] ?? 0];
    }),
  );
}

/** As base64 PNG bytes. */
export function renderPng(text: string, height: number): string {
  return drawText(text, height).canvas.toBuffer("image/png").toString("base64");
}

/** As base64 JPEG bytes, at the canvas encoder's quality 0..100. */
export function renderJpeg(text: string, height: number, quality = 90): string {
  return drawText(text, height).canvas.toBuffer("image/jpeg", quality).toString("base64");
}

/** A PNG whose IHDR says width x height, with one empty IDAT and IEND: a header to refuse. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length);
    head.write(type, 4, "ascii");
    return Buffer.concat([head, data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk("IHDR", ihdr),
    chunk("IDAT", Buffer.alloc(0)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Upper case, single spaces: what OCR answers are compared as. */
export const normaliseText = (s: string) => s.toUpperCase().replace(/\s+/g, " ").trim();
