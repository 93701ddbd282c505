/**
 * Model composition, after Ray Serve's: the "ocr-pipeline" actor class serves OCR as one call by
 * calling two other deployments through deployment handles, as an ingress deployment does.
 *
 *   ocr { png } | { image }
 *     -> detection deployment (a ppocr-v4 replica):   detect -> boxes, line by line
 *     -> crops of those boxes, cut here (ocr-crops.ts: 8-bit RGB with a one-pixel margin)
 *     -> recognition deployment (ppocr-v4-rec):        recognise -> one text per crop
 *   <- { text, lines, boxes, width, height, recognitionBatchRequests, executionProvider
 *        (the detection replica's), inferenceMs (the whole pipeline, as seen here) }
 *
 * The recognition replicas batch dynamically, so the crops of concurrent OCR tasks (from any
 * number of pipeline replicas) share inferences: `recognitionBatchRequests` says how many
 * calls the crops of this task shared theirs with. Each stage scales on its own load.
 *
 * `stats` -> { calls, recognitionInferences, recognitionBatchRequests, recognitionBatchSize }:
 * since the actor started, the OCR calls answered, and summed over the recognition inferences
 * their crops ran in, the calls and crops each held (a bench's mean recognition batch).
 *
 * initArgs: { detection: { namespace, name }, recognition: { namespace, name } } — deployments
 * that exist (their handles are opened on the first call). The pipeline reaches the head with
 * cluster client its context gives it (ActorContext.cluster; the host closes it).
 */
import { z } from "zod";
import type { ClusterClient } from "../client/cluster-client.js";
import type { DeploymentHandle } from "../client/deployment-handle.js";
import { ClusterError } from "../errors.js";
import { formatZodIssues } from "../models/manifest-schema.js";
import { cropForRecognition } from "../models/ocr-crops.js";
import type { Recognised } from "../models/ocr-recognize.js";
import { type DetectResult, imageOfArgs, type OcrResult, ocrResult } from "../models/ppocr-v4.js";
import type { ActorClass, ActorInstance } from "../runtime/actor-class.js";

const deploymentRef = z.strictObject({ namespace: z.string(), name: z.string().min(1) });
const initArgsSchema = z.strictObject({ detection: deploymentRef, recognition: deploymentRef });

export interface PipelineResult extends OcrResult {
  /** Calls whose crops shared the recognition inference with this task's (this one included). */
  recognitionBatchRequests: number;
  width: number;
  height: number;
  executionProvider: string;
  inferenceMs: number;
}

export const createOcrPipelineActor: ActorClass = async (initArgs, ctx) => {
  const parsed = initArgsSchema.safeParse(initArgs);
  if (!parsed.success)
    throw new ClusterError("INVALID_ARGUMENT", `ocr-pipeline initArgs: ${formatZodIssues(parsed.error)}`);
  if (!ctx.cluster)
    throw new ClusterError(
      "INVALID_ARGUMENT",
      "ocr-pipeline must run on a worker (it calls other deployments)",
    );
  return new OcrPipeline(parsed.data, ctx.cluster());
};

export interface PipelineStats {
  calls: number;
  recognitionInferences: number;
  recognitionBatchRequests: number;
  recognitionBatchSize: number;
}

class OcrPipeline implements ActorInstance {
  readonly #stats: PipelineStats = {
    calls: 0,
    recognitionInferences: 0,
    recognitionBatchRequests: 0,
    recognitionBatchSize: 0,
  };
  #detection: Promise<DeploymentHandle> | undefined;
  #recognition: Promise<DeploymentHandle> | undefined;

  readonly #args: z.infer<typeof initArgsSchema>;
  readonly #client: ClusterClient;

  constructor(args: z.infer<typeof initArgsSchema>, client: ClusterClient) {
    this.#args = args;
    this.#client = client;
  }

  async call(method: string, args: unknown, signal: AbortSignal): Promise<unknown> {
    switch (method) {
      case "ocr":
        return this.#ocr(args, signal);
      case "health":
        return { detection: this.#args.detection, recognition: this.#args.recognition };
      case "stats":
        return { ...this.#stats };
      default:
        throw new ClusterError(
          "UNIMPLEMENTED",
          `ocr-pipeline has no method ${JSON.stringify(method)} (ocr, health, stats)`,
        );
    }
  }

  info(): Record<string, string> {
    const { detection, recognition } = this.#args;
    return { pipeline: `${detection.name} -> ${recognition.name}` };
  }

  async close(): Promise<void> {
    for (const handle of await Promise.allSettled([this.#detection, this.#recognition])) {
      if (handle.status === "fulfilled") handle.value?.close();
    }
  }

  async #ocr(args: unknown, signal: AbortSignal): Promise<PipelineResult> {
    const startedAt = performance.now();
    const image = imageOfArgs(args, "ocr");
    this.#detection ??= this.#open(this.#args.detection, () => (this.#detection = undefined));
    this.#recognition ??= this.#open(this.#args.recognition, () => (this.#recognition = undefined));
    const detected = await (await this.#detection).call<DetectResult>("detect", args, { signal });
    const crops = detected.lines.flat().map((box) => cropForRecognition(image, box));
    const recognised = await (await this.#recognition).call<{
      texts: Recognised[];
      batchRequests: number;
      batchSize: number;
    }>("recognise", { crops }, { signal });
    this.#stats.calls += 1;
    if (crops.length > 0) {
      this.#stats.recognitionInferences += 1;
      this.#stats.recognitionBatchRequests += recognised.batchRequests;
      this.#stats.recognitionBatchSize += recognised.batchSize;
    }
    return {
      ...ocrResult(detected.lines, recognised.texts),
      recognitionBatchRequests: recognised.batchRequests,
      width: image.width,
      height: image.height,
      executionProvider: detected.executionProvider,
      inferenceMs: performance.now() - startedAt,
    };
  }

  #open(ref: { namespace: string; name: string }, onFail: () => void): Promise<DeploymentHandle> {
    const handle = this.#client.deployment(ref.namespace, ref.name);
    handle.catch(onFail);
    return handle;
  }
}
