/**
 * A model's own methods, beyond `infer`: the OCR pipeline (detect, crop, recognise), token
 * streaming for the language model. A builtin model may declare them; the model actor
 * (runtime/model-actor.ts) serves them next to infer, manifest and health.
 *
 * A method sees the loaded model only through ModelRuntime: run one of its graphs (the main
 * file, or a companion ONNX file such as OCR's recognition model) on flat tensors, read a
 * companion data file (a dictionary), and infer through the actor's dynamic batcher. It never
 * touches onnxruntime itself, so a method is testable with a fake runtime and runs the same on
 * every execution provider.
 *
 * A method returns a JSON-encodable result, or an AsyncIterable to stream (an async generator:
 * the actor host pulls items one by one and stops the iteration when the call is cancelled).
 * It throws ClusterError("INVALID_ARGUMENT", ...) for bad arguments.
 */
import type { ExecutionProvider, ModelManifest } from "@neurogrid/schema";
import type { FlatTensor } from "../runtime/tensor.js";

export interface ModelRuntime {
  readonly manifest: ModelManifest;
  /** Where every graph of this model runs. */
  readonly executionProvider: ExecutionProvider;
  /** Runs the main graph ("main") or a companion graph by name; returns the named outputs. */
  run(
    graph: string,
    feeds: Readonly<Record<string, FlatTensor>>,
    outputNames: readonly string[],
  ): Promise<Record<string, FlatTensor>>;
  /**
   * The main graph through the actor's dynamic batcher (as `infer` runs it): concurrent calls
   * share inferences. `feeds` must match the manifest's inputs (the caller built them).
   */
  infer(
    feeds: Readonly<Record<string, FlatTensor>>,
    signal: AbortSignal,
  ): Promise<{ outputs: Record<string, FlatTensor>; batchSize: number; batchRequests: number }>;
  /** A companion data file's verified bytes. */
  data(name: string): Uint8Array;
}

export type ModelMethod = (args: unknown, signal: AbortSignal) => Promise<unknown> | AsyncIterable<unknown>;

export type ModelMethods = Readonly<Record<string, ModelMethod>>;

/** Builds a model's methods once, when its actor has loaded it. */
export type ModelProgram = (runtime: ModelRuntime) => ModelMethods;
