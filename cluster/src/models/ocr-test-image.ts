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

/** Upper case, single spaces: what OCR answers are compared as. */
export const normaliseText = (s: string) => s.toUpperCase().replace(/\s+/g, " ").trim();
