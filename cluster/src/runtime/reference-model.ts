/**
 * A model run inside the caller's own process on the CPU execution provider, exactly as a model
 * actor runs it (the same loading and integrity checks, sessions and `infer`:
 * model-actor-server.ts; a generation's `generate` with the task's seed), for a caller that must know a model's answer without asking any
 * provider: the api's known-answer tasks (canaries and onboarding). Batching is off: each call
 * runs alone, at once. The CPU provider makes the answer the model's own reference; a provider's
 * GPU answer is compared with it under the model's comparison rule (result-comparison.ts), which
 * allows for the difference between providers.
 */
import type { GenerateItem, TensorMap } from "@neurogrid/schema";
import { generationResult } from "../models/generation-result.js";
import { loadModel, type ModelSourceOptions } from "../models/model-source.js";
import { openModelServer } from "./model-actor-server.js";

export interface ReferenceModel {
  /** The model's output tensors for these inputs (nested arrays, as an actor's `infer` answers). */
  infer(inputs: TensorMap): Promise<TensorMap>;
  /** Any other method of the model's (a speech model's `speech`), its answer as an actor's. */
  call(method: string, args: unknown): Promise<unknown>;
  /** A generation's whole result ({ text, finishReason }) for these arguments (its seed included). */
  generate(args: Record<string, unknown>): Promise<{ text: string; finishReason: string }>;
  close(): Promise<void>;
}

export async function openReferenceModel(source: ModelSourceOptions): Promise<ReferenceModel> {
  const model = await loadModel(source);
  const server = await openModelServer(
    model,
    { provider: "cpu", reason: "the reference runs on the CPU of the process that asks" },
    { intraOpNumThreads: 1, batching: { maxBatchSize: 1, batchWaitTimeoutMs: 0 } },
  );
  return {
    infer: async (inputs) => (await server.infer({ inputs }, new AbortController().signal)).outputs,
    call: (method, args) => server.call(method, args, new AbortController().signal),
    generate: async (args) =>
      generationResult(
        (await server.call("generate", args, new AbortController().signal)) as AsyncIterable<GenerateItem>,
      ),
    close: () => server.close(),
  };
}
