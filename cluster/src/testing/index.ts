/**
 * @neurogrid/cluster/testing: known answers for other packages' tests of the media models, never
 * imported by running code. Text rendered with a known font as PNG or JPEG (ocr-test-image.ts,
 * which needs Debian's fonts-dejavu-core) and speech-like audio with silence around it as WAV
 * (speech-test-audio.ts).
 */
export {
  normaliseText,
  pngHeaderOnly,
  registerTestFont,
  renderJpeg,
  renderPng,
} from "../models/ocr-test-image.js";
export { speechLikeClip, wavBytes } from "../models/speech-test-audio.js";
