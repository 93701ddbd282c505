/**
 * "ocr" version "1": OCR as a task (kind "ocr"), composed of other models' deployments (after
 * Ray Serve's model composition). Its replicas are "ocr-pipeline" actors
 * (serve/ocr-pipeline-actor.ts) calling a detection deployment (ppocr-v4) and a recognition
 * deployment (ppocr-v4-rec) whose replicas batch the crops of concurrent tasks.
 *
 * Priced per call (one image, whatever its number of lines): the escrow is known at submit
 * and a client pays the same for the same image. No graph of its own: registered in the
 * model table next to the builtin models, never built by a model actor.
 */
import type { ModelManifest } from "@neurogrid/schema";

export const ocrTaskManifest: ModelManifest = {
  name: "ocr",
  version: "1",
  description:
    "Text in an image: send PNG or JPEG bytes (base64), get the recognised lines with their text, confidence and box. PP-OCRv4 detection and recognition (Chinese and Latin script), each its own deployment; the recognition replicas batch the lines of concurrent tasks.",
  inputs: [],
  outputs: [],
  pricePerCall: "3000000",
  resources: { cpus: 0.5, memoryMb: 256, gpus: 0 },
  task: { kind: "ocr" },
  pipeline: {
    className: "ocr-pipeline",
    stages: { detection: "ppocr-v4@1", recognition: "ppocr-v4-rec@1" },
  },
};
