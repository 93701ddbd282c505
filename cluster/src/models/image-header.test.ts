/**
 * Image headers read without decoding: format and size of real PNG and JPEG files (rendered by
 * a canvas), and each broken or oversized file refused by name; the OCR methods refuse the same
 * before decoding a pixel (INVALID_ARGUMENT) and decode JPEG to the same pixels as PNG, near enough.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspectImage } from "./image-header.js";
import { decodeJpeg } from "./jpeg-decode.js";
import { drawText, pngHeaderOnly, registerTestFont } from "./ocr-test-image.js";
import { decodePng } from "./png-decode.js";
import { imageOfArgs } from "./ppocr-v4.js";

describe("image headers", () => {
  registerTestFont();
  const { canvas } = drawText("HEADER 42", 96);
  const png = canvas.toBuffer("image/png");
  const jpeg = canvas.toBuffer("image/jpeg", 90);

  it("reads format and size of a PNG and a JPEG", () => {
    assert.deepEqual(inspectImage(png), { format: "png", width: canvas.width, height: 96 });
    assert.deepEqual(inspectImage(jpeg), { format: "jpeg", width: canvas.width, height: 96 });
  });

  it("decodes the JPEG to nearly the PNG's pixels (jpeg-js)", () => {
    const a = decodePng(png);
    const b = decodeJpeg(jpeg);
    assert.equal(b.width, a.width);
    let diff = 0;
    for (let i = 0; i < a.data.length; i++) diff += Math.abs((a.data[i] as number) - (b.data[i] as number));
    assert.ok(diff / a.data.length < 8, `mean difference ${diff / a.data.length} of 255`);
  });

  it("refuses a non-image, a truncated PNG and a truncated JPEG by name", () => {
    assert.throws(() => inspectImage(Buffer.from("hello, world")), {
      code: "INVALID_ARGUMENT",
      message: /not a PNG or JPEG/,
    });
    assert.throws(() => inspectImage(png.subarray(0, png.length - 30)), { message: /truncated PNG/ });
    assert.throws(() => inspectImage(jpeg.subarray(0, jpeg.length - 100)), { message: /truncated JPEG/ });
  });

  it("gives a 20000x20000 header's size, and the OCR methods refuse it before decoding", () => {
    const huge = pngHeaderOnly(20_000, 20_000);
    assert.deepEqual(inspectImage(huge), { format: "png", width: 20_000, height: 20_000 });
    assert.throws(() => imageOfArgs({ file: huge.toString("base64") }, "ocr"), {
      code: "INVALID_ARGUMENT",
      message: /20000x20000/,
    });
  });
});
