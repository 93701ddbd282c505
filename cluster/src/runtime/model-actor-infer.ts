/**
 * The model actor's `infer` method, with dynamic batching.
 *
 *   wire args -> InferArgs (parseInferArgs; the contract is @neurogrid/schema's) -> per-call
 *   validation (tensor.ts; a bad call fails alone, INVALID_ARGUMENT, before it can join a
 *   batch) -> the batcher (batcher.ts), when the model batches along its leading
 *   dimension and its batching limits allow more than one row -> one inference over the
 *   concatenated rows -> each call's slice of every output.
 *
 * Models that cannot batch (an input or output without a dynamic leading dimension, such as
 * Silero VAD's state) run one inference per call, unqueued. Every result says how many rows and
 * calls shared its inference (batchSize, batchRequests).
 */
import type { BatchingConfig, InferArgs, InferResult, ModelManifest, TensorMap } from "@neurogrid/schema";
import { z } from "zod";
import { ClusterError } from "../errors.js";
import { formatZodIssues } from "../models/manifest-schema.js";
import { batchesAlongFirstDim, concatRows, rowsOf, sliceRows } from "./batch-tensors.js";
import { DynamicBatcher } from "./batcher.js";
import { type FlatTensor, parseTensorMap, tensorToNested } from "./tensor.js";

/** A call's `inputs`: an object of tensors, each checked against the manifest later (tensor.ts). */
export const inferInputsSchema = z.record(z.string(), z.unknown(), {
  error: "an object mapping tensor names to nested arrays of numbers",
});

const inferArgsSchema = z.strictObject({ inputs: inferInputsSchema }) satisfies z.ZodType<InferArgs>;

/** `infer`'s arguments as they arrive, checked; INVALID_ARGUMENT otherwise. */
export function parseInferArgs(args: unknown): InferArgs {
  const parsed = inferArgsSchema.safeParse(args);
  if (!parsed.success) {
    throw new ClusterError("INVALID_ARGUMENT", `infer args: ${formatZodIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** InferResult but for where it ran, which the server adds. */
export type InferOutcome = Omit<InferResult, "executionProvider">;

type Flat = Record<string, FlatTensor>;
export type RunMain = (feeds: Readonly<Flat>, outputNames: readonly string[]) => Promise<Flat>;

/** A call's own rows of every output, as flat tensors, and where they came from. */
export interface FlatOutcome {
  outputs: Flat;
  inferenceMs: number;
  batchSize: number;
  batchRequests: number;
}

interface Sliced {
  outputs: Flat;
  inferenceMs: number;
}

export class ModelInfer {
  readonly #batcher: DynamicBatcher<Flat, Sliced> | undefined;
  readonly #outputNames: string[];
  readonly #manifest: ModelManifest;
  readonly #runMain: RunMain;

  constructor(manifest: ModelManifest, batching: BatchingConfig | undefined, runMain: RunMain) {
    this.#manifest = manifest;
    this.#runMain = runMain;
    this.#outputNames = manifest.outputs.map((o) => o.name);
    if (batching && batchesAlongFirstDim(manifest)) {
      this.#batcher = new DynamicBatcher(batching, (calls) => this.#runBatch(calls));
    }
  }

  /** The limits in force, or undefined when every call runs alone. */
  get batching(): BatchingConfig | undefined {
    return this.#batcher?.limits;
  }

  /** The `infer` method: nested arrays in (checked against the manifest here), nested arrays out. */
  async infer(args: InferArgs, signal: AbortSignal): Promise<InferOutcome> {
    const parsed = parseTensorMap(this.#manifest.inputs, args.inputs);
    if (!parsed.ok) throw new ClusterError("INVALID_ARGUMENT", parsed.message);
    const done = await this.inferFlat(parsed.tensors, signal);
    const outputs: TensorMap = {};
    for (const [name, t] of Object.entries(done.outputs)) outputs[name] = tensorToNested(t.data, t.dims);
    return { ...done, outputs };
  }

  /**
   * Validated flat tensors through the batcher (or alone when the model does not batch): the
   * path `infer` takes, and the one a model's own methods take for the main graph (each step of
   * concurrent generations then shares inferences).
   */
  async inferFlat(tensors: Readonly<Flat>, signal: AbortSignal): Promise<FlatOutcome> {
    if (signal.aborted) throw new ClusterError("CANCELLED", "infer cancelled before the model ran");
    if (!this.#batcher) {
      const [only] = await this.#runBatch([tensors]);
      return { ...(only as Sliced), batchSize: this.#leadingRows(tensors), batchRequests: 1 };
    }
    const rows = rowsOf(tensors);
    if (!rows.ok) throw new ClusterError("INVALID_ARGUMENT", rows.message);
    const done = await this.#batcher.submit(tensors, rows.rows, rows.key, signal);
    return { ...done.result, batchSize: done.batchRows, batchRequests: done.batchRequests };
  }

  /** One inference over every call's rows; each call gets its own rows of every output. */
  async #runBatch(calls: readonly Readonly<Flat>[]): Promise<Sliced[]> {
    const feeds = concatRows(calls);
    const started = performance.now();
    const results = await this.#runMain(feeds, this.#outputNames);
    const inferenceMs = performance.now() - started;
    if (calls.length === 1) return [{ outputs: results, inferenceMs }];
    const counts = calls.map((c) => this.#leadingRows(c));
    const total = counts.reduce((a, b) => a + b, 0);
    const sliced: Sliced[] = calls.map(() => ({ outputs: {}, inferenceMs }));
    for (const name of this.#outputNames) {
      const t = results[name] as FlatTensor;
      if (t.dims[0] !== total) {
        throw new ClusterError("INTERNAL", `output ${name} has ${t.dims[0]} rows for a batch of ${total}`);
      }
      let start = 0;
      counts.forEach((count, i) => {
        const slice = sliceRows(t.data, t.dims, start, count);
        (sliced[i] as Sliced).outputs[name] = { dtype: t.dtype, ...slice };
        start += count;
      });
    }
    return sliced;
  }

  /** The first input's leading dimension when that dimension is dynamic (the batch), else 1. */
  #leadingRows(tensors: Readonly<Flat>): number {
    const first = this.#manifest.inputs[0];
    if (!first || first.shape[0] !== -1) return 1;
    return tensors[first.name]?.dims[0] ?? 1;
  }
}
