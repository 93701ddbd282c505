/**
 * The model mux: one replica serving several small models, loading each on first use and
 * keeping the most recently used resident (Ray Serve's model multiplexing). Registered as the
 * actor class "model-mux" (actor-classes.ts).
 *
 * Start-up: initArgs (model-mux-args.ts: limits, optional allow-list, runtime options) ->
 * execution provider, chosen once for every model (execution-provider.ts). No model is loaded
 * until a call asks for it.
 *
 * A call for a model: its reference resolved (model-mux-args.ts) -> the resident set
 * (model-mux-lru.ts) marks it most recently used and loads it if needed, through the model
 * actor's own path: models/model-source.ts (builtin, path + sha256, or a downloaded artifact,
 * each verified against its sha256 before anything is loaded) and a loaded model server
 * (model-actor-server.ts: sessions, manifest check, batching). Over maxModels / maxBytes, the
 * least recently used model without calls in flight is released (its onnxruntime sessions).
 *
 * Methods:
 *   infer   MuxInferArgs { model: "name@version" | ModelSource, inputs }
 *           -> MuxInferResult: the model actor's InferResult plus `model` (its id). Each model
 *           batches its own concurrent calls. (The types: @neurogrid/schema's model-mux-contract.ts.)
 *   loaded  -> the resident model ids, least recently used (next to be released) first
 *   health  -> { executionProvider, reason, limits, models: [{ id, sha256, sizeBytes, inFlight }]
 *              (least recently used first), residentBytes, loads, evictions, allowed? }
 *   anything else -> UNIMPLEMENTED
 * info() -> { model: "<n> models" (resident now), execution_provider }.
 */
import type { ModelMuxInit, ModelSource, MuxInferArgs, MuxInferResult } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { loadModel } from "../models/model-source.js";
import { checkModelSource, type ModelSourcePolicy } from "../models/source-policy.js";
import type { ActorClass, ActorContext, ActorInstance } from "./actor-class.js";
import {
  chooseExecutionProvider,
  DEFAULT_PROVIDER_PREFERENCE,
  type ProviderChoice,
  type ProviderProbe,
} from "./execution-provider.js";
import { createOnnxruntimeProbe } from "./execution-provider-probe.js";
import { defaultModelCacheDir, MODEL_ACTOR_MAX_CONCURRENCY } from "./model-actor.js";
import { type LoadedModelServer, openModelServer } from "./model-actor-server.js";
import { ModelRefResolver, parseMuxInferArgs, parseMuxInitArgs } from "./model-mux-args.js";
import { ResidentModels } from "./model-mux-lru.js";

export interface MuxHealth {
  executionProvider: ProviderChoice["provider"];
  reason: string;
  limits: { maxModels: number | null; maxBytes: number | null };
  models: { id: string; sha256: string; sizeBytes: number; inFlight: number }[];
  residentBytes: number;
  loads: number;
  evictions: number;
  /** The allow-list's ids; absent when any model may be served. */
  allowed?: string[];
}

export const createModelMux: ActorClass = (initArgs, ctx) => startModelMux(initArgs, ctx);

/** createModelMux with an injectable provider probe (tests). */
export async function startModelMux(
  initArgs: unknown,
  ctx: ActorContext,
  probe: ProviderProbe = createOnnxruntimeProbe(),
): Promise<ModelMux> {
  const args = parseMuxInitArgs(initArgs);
  const choice = await chooseExecutionProvider(
    ctx,
    args.executionProviders ?? DEFAULT_PROVIDER_PREFERENCE,
    probe,
  );
  const cacheDir = args.cacheDir ?? ctx.modelSources?.modelCacheDir;
  return new ModelMux(cacheDir === undefined ? args : { ...args, cacheDir }, choice, ctx.modelSources);
}

export class ModelMux implements ActorInstance {
  readonly maxConcurrency = MODEL_ACTOR_MAX_CONCURRENCY;
  #closed = false;
  readonly #resident: ResidentModels<LoadedModelServer>;
  readonly #resolver: ModelRefResolver;
  /** The reference each resident (or loading) model was loaded from. */
  readonly #refs = new Map<string, ModelSource>();
  readonly #args: ModelMuxInit;
  readonly #choice: ProviderChoice;
  readonly #sources: ModelSourcePolicy | undefined;

  /** `sources`: the node's policy for the model references calls carry (absent outside a worker). */
  constructor(args: ModelMuxInit, choice: ProviderChoice, sources?: ModelSourcePolicy) {
    this.#args = args;
    this.#choice = choice;
    this.#sources = sources;
    this.#resolver = new ModelRefResolver(args.models);
    // On release, forget the model's reference unless a call has already started loading it again.
    this.#resident = new ResidentModels({ maxModels: args.maxModels, maxBytes: args.maxBytes }, (id) => {
      if (!this.#resident.has(id)) this.#refs.delete(id);
    });
  }

  async call(method: string, args: unknown, signal: AbortSignal): Promise<unknown> {
    if (this.#closed) throw new ClusterError("INTERNAL", "model mux is closed");
    switch (method) {
      case "infer":
        return this.#infer(parseMuxInferArgs(args), signal);
      case "loaded":
        return this.#resident.ids();
      case "health":
        return this.#health();
    }
    throw new ClusterError(
      "UNIMPLEMENTED",
      `model mux has no method ${JSON.stringify(method)} (infer, loaded, health)`,
    );
  }

  /** What `status` shows for this actor. */
  info(): Record<string, string> {
    const n = this.#resident.ids().length;
    return { model: `${n} model${n === 1 ? "" : "s"}`, execution_provider: this.#choice.provider };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#resident.close();
  }

  async #infer(call: MuxInferArgs, signal: AbortSignal): Promise<MuxInferResult> {
    if (this.#sources !== undefined && typeof call.model !== "string")
      checkModelSource(call.model, this.#sources, "model.");
    const { id, ref } = this.#resolver.resolve(call.model, (modelId) => {
      const loadedFrom = this.#refs.get(modelId);
      return loadedFrom && { ref: loadedFrom, sha256: this.#resident.peek(modelId)?.model.sha256 };
    });
    if (signal.aborted) throw new ClusterError("CANCELLED", "infer cancelled before the model ran");
    return this.#resident.use(
      id,
      () => this.#load(id, ref),
      async (server) => ({ ...(await server.infer({ inputs: call.inputs }, signal)), model: id }),
    );
  }

  async #load(id: string, ref: ModelSource): Promise<LoadedModelServer> {
    this.#refs.set(id, ref);
    try {
      const model = await loadModel({
        ...ref,
        cacheDir: this.#args.cacheDir ?? defaultModelCacheDir(),
        nodeToken: this.#sources?.nodeToken,
      });
      return await openModelServer(model, this.#choice, {
        intraOpNumThreads: this.#args.intraOpNumThreads,
        batching: ref.batching,
      });
    } catch (err) {
      if (this.#refs.get(id) === ref) this.#refs.delete(id);
      throw err;
    }
  }

  #health(): MuxHealth {
    const { loads, evictions, residentBytes } = this.#resident.stats;
    const allowed = this.#resolver.allowedIds;
    return {
      executionProvider: this.#choice.provider,
      reason: this.#choice.reason,
      limits: { maxModels: this.#args.maxModels ?? null, maxBytes: this.#args.maxBytes ?? null },
      models: this.#resident.resident().map((r) => ({
        ...r,
        sha256: this.#resident.peek(r.id)?.model.sha256 ?? "",
      })),
      residentBytes,
      loads,
      evictions,
      ...(allowed ? { allowed } : {}),
    };
  }
}
