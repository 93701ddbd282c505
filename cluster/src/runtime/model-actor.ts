/**
 * The model actor: one model served by a loaded model server (model-actor-server.ts: its
 * onnxruntime sessions, batcher and methods), inside its own actor process (see actor-class.ts).
 *
 * Start-up (createModelActor):
 *   initArgs (ModelActorInit, @neurogrid/schema's model-actor-contract.ts; validated, strict)
 *   -> model bytes + manifest (models/model-source.ts), from one of
 *     - the builtin model name@version, through the content-addressed cache;
 *     - `path` + `sha256`: a model file on this machine;
 *     - `artifact` { url, sha256, token?, cacheLimitBytes? }: downloaded into the
 *       content-addressed cache on first use (models/artifact-download.ts), refused unless its
 *       sha256 matches, the cache kept under its limit (least recently used out first);
 *   every one verified against its sha256 before anything is loaded
 *   -> execution provider, chosen explicitly (execution-provider.ts) -> the server's sessions.
 *
 * Methods: those of the server (infer, manifest, health, the model's own); see
 * model-actor-server.ts. info() -> { model: "name@version", execution_provider }.
 *
 * maxConcurrency is high (MODEL_ACTOR_MAX_CONCURRENCY): calls must reach the batcher together
 * to be batched; the batcher, not the host's queue, decides what runs.
 *
 * Tests of result verification start some workers lying (ActorContext.faultInjection): a share
 * of this actor's `infer` answers is then perturbed (fault-injection.ts).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InferResult, ModelActorInit } from "@neurogrid/schema";
import { z } from "zod";
import { ClusterError } from "../errors.js";
import { formatZodIssues } from "../models/manifest-schema.js";
import { loadModel } from "../models/model-source.js";
import { checkModelSource, modelSourceFields } from "../models/model-source-schema.js";
import type { ActorClass, ActorContext, ActorInstance } from "./actor-class.js";
import {
  chooseExecutionProvider,
  DEFAULT_PROVIDER_PREFERENCE,
  type ProviderProbe,
} from "./execution-provider.js";
import { createOnnxruntimeProbe } from "./execution-provider-probe.js";
import { lieDraw, perturbOutputs } from "./fault-injection.js";
import { type LoadedModelServer, openModelServer } from "./model-actor-server.js";

export type { ModelHealth } from "./model-actor-server.js";

/** Where model files are cached when initArgs do not say. */
export function defaultModelCacheDir(): string {
  return join(tmpdir(), "neurogrid-models");
}

/** Options of the actor process that runs models, beside the model itself. */
export const modelRuntimeFields = {
  /** The content-addressed model file cache; default <os tmpdir>/neurogrid-models. */
  cacheDir: z.string().min(1).optional(),
  executionProviders: z
    .array(z.enum(["cuda", "webgpu", "cpu"]))
    .min(1)
    .optional(),
  intraOpNumThreads: z.number().int().min(1).max(256).optional(),
};

const modelActorInitSchema = z
  .strictObject({ ...modelSourceFields, ...modelRuntimeFields })
  .superRefine(checkModelSource) satisfies z.ZodType<ModelActorInit>;

/** High enough that concurrent calls reach the batcher rather than the host's queue. */
export const MODEL_ACTOR_MAX_CONCURRENCY = 10_000;

export const createModelActor: ActorClass = (initArgs, ctx) => startModelActor(initArgs, ctx);

/** createModelActor with an injectable provider probe (tests). */
export async function startModelActor(
  initArgs: unknown,
  ctx: ActorContext,
  probe: ProviderProbe = createOnnxruntimeProbe(),
): Promise<ActorInstance & { info(): Record<string, string> }> {
  const parsed = modelActorInitSchema.safeParse(initArgs);
  if (!parsed.success) {
    throw new ClusterError("INVALID_ARGUMENT", `model actor initArgs: ${formatZodIssues(parsed.error)}`);
  }
  const args = parsed.data;
  const model = await loadModel({
    ...args,
    cacheDir: args.cacheDir ?? ctx.modelSources?.modelCacheDir ?? defaultModelCacheDir(),
    nodeToken: ctx.modelSources?.nodeToken,
  });
  const choice = await chooseExecutionProvider(
    ctx,
    args.executionProviders ?? DEFAULT_PROVIDER_PREFERENCE,
    probe,
  );
  const server = await openModelServer(model, choice, {
    intraOpNumThreads: args.intraOpNumThreads,
    batching: args.batching,
  });
  return new ModelActor(server, ctx.faultInjection ? lieDraw(ctx.faultInjection) : undefined);
}

class ModelActor implements ActorInstance {
  readonly maxConcurrency = MODEL_ACTOR_MAX_CONCURRENCY;
  #closed = false;
  readonly #server: LoadedModelServer;
  /** Whether the next `infer` answer lies (fault injection); undefined: never. */
  readonly #lies: (() => boolean) | undefined;

  constructor(server: LoadedModelServer, lies: (() => boolean) | undefined) {
    this.#server = server;
    this.#lies = lies;
  }

  async call(method: string, args: unknown, signal: AbortSignal): Promise<unknown> {
    if (this.#closed) throw new ClusterError("INTERNAL", "model actor is closed");
    const answer = await this.#server.call(method, args, signal);
    if (method !== "infer" || !this.#lies?.()) return answer;
    const result = answer as InferResult;
    return { ...result, outputs: perturbOutputs(result.outputs) };
  }

  /** What `status` shows for this actor. */
  info(): Record<string, string> {
    return { model: this.#server.id, execution_provider: this.#server.choice.provider };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#server.close();
  }
}
