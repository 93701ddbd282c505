/**
 * A loaded model server: one model's onnxruntime sessions (its main graph, and any companion
 * graphs it brings), its batcher and its own methods, behind one `call`. The model actor
 * (model-actor.ts) is one of these for its whole life; the model mux (model-mux.ts) holds
 * several, loading and releasing them as calls come.
 *
 * Opening (openModelServer):
 *   model bytes + manifest, already verified (models/model-source.ts) -> a session per graph
 *   with exactly the chosen execution provider and explicit thread counts -> the main graph
 *   checked against the manifest (a mismatch releases every session opened and fails).
 *
 * Methods (`call`):
 *   infer    InferArgs { inputs: TensorMap }
 *            -> InferResult { outputs, executionProvider, inferenceMs, batchSize, batchRequests }
 *            (the contract: @neurogrid/schema's model-actor-contract.ts)
 *            validated against the manifest first (INVALID_ARGUMENT naming the tensor); batched
 *            with concurrent calls (model-actor-infer.ts) under the given limits, else the
 *            manifest's.
 *   manifest -> the ModelManifest
 *   health   -> { executionProvider, reason, model: { name, version, sha256 }, batching }
 *   the model's own methods (models/model-program.ts), e.g. ocr, generate (streams)
 *   anything else -> UNIMPLEMENTED
 *
 * close() releases the sessions; the owner makes sure no call is still running on them.
 */
import type { BatchingConfig, InferArgs, InferResult } from "@neurogrid/schema";
import type { InferenceSession } from "onnxruntime-node";
import { ClusterError } from "../errors.js";
import { modelKey } from "../models/builtin-models.js";
import { manifestMismatch } from "../models/manifest-check.js";
import type { ModelMethods, ModelRuntime } from "../models/model-program.js";
import type { LoadedModel } from "../models/model-source.js";
import type { ProviderChoice } from "./execution-provider.js";
import { ModelInfer, parseInferArgs } from "./model-actor-infer.js";
import { openSession, runSession } from "./model-actor-session.js";

export interface ModelHealth {
  executionProvider: ProviderChoice["provider"];
  reason: string;
  model: { name: string; version: string; sha256: string };
  /** The batching limits in force; undefined when every call runs alone. */
  batching: BatchingConfig | undefined;
}

export interface ModelServerOptions {
  intraOpNumThreads?: number | undefined;
  /** Batching limits over the manifest's. */
  batching?: BatchingConfig | undefined;
}

/** Opens the model's sessions on the chosen provider; see the file header. */
export async function openModelServer(
  model: LoadedModel,
  choice: ProviderChoice,
  options: ModelServerOptions = {},
): Promise<LoadedModelServer> {
  const sessions = await openSessions(model, choice, options.intraOpNumThreads);
  return new LoadedModelServer(model, choice, sessions, options.batching ?? model.manifest.batching);
}

/** The main graph's session ("main", checked against the manifest) and one per companion graph. */
async function openSessions(
  model: LoadedModel,
  choice: ProviderChoice,
  intraOpNumThreads: number | undefined,
): Promise<Map<string, InferenceSession>> {
  const sessions = new Map<string, InferenceSession>();
  const releaseAll = () => Promise.all([...sessions.values()].map((s) => s.release()));
  const main = await openSession(model.bytes, `model ${model.path}`, choice, intraOpNumThreads);
  sessions.set("main", main);
  const mismatch = manifestMismatch(model.manifest, {
    inputs: main.inputMetadata,
    outputs: main.outputMetadata,
  });
  if (mismatch) {
    await releaseAll();
    throw new ClusterError("INTERNAL", `model file ${model.path} does not match its manifest: ${mismatch}`);
  }
  try {
    for (const [name, companion] of Object.entries(model.companions)) {
      if (companion.kind !== "onnx") continue;
      sessions.set(
        name,
        await openSession(companion.bytes, `${name} ${companion.path}`, choice, intraOpNumThreads),
      );
    }
  } catch (err) {
    await releaseAll();
    throw err;
  }
  return sessions;
}

export class LoadedModelServer {
  readonly #inference: ModelInfer;
  readonly #methods: ModelMethods;
  #released: Promise<void> | undefined;
  readonly #sessions: ReadonlyMap<string, InferenceSession>;

  constructor(
    readonly model: LoadedModel,
    readonly choice: ProviderChoice,
    sessions: ReadonlyMap<string, InferenceSession>,
    batching: BatchingConfig | undefined,
  ) {
    this.#sessions = sessions;
    const main = sessions.get("main") as InferenceSession;
    this.#inference = new ModelInfer(model.manifest, batching, (feeds, names) =>
      runSession(main, feeds, names),
    );
    this.#methods = model.program?.(this.#runtime()) ?? {};
  }

  /** "name@version". */
  get id(): string {
    return modelKey(this.model.manifest.name, this.model.manifest.version);
  }

  /** Bytes of the model's files held in memory (its main graph and companions). */
  get sizeBytes(): number {
    return Object.values(this.model.companions).reduce(
      (sum, c) => sum + c.bytes.byteLength,
      this.model.bytes.byteLength,
    );
  }

  /** The methods `call` answers. */
  get methodNames(): string[] {
    return ["infer", "manifest", "health", ...Object.keys(this.#methods)];
  }

  async call(method: string, args: unknown, signal: AbortSignal): Promise<unknown> {
    if (this.#released) throw new ClusterError("INTERNAL", `model ${this.id} has been released`);
    switch (method) {
      case "infer":
        return this.infer(parseInferArgs(args), signal);
      case "manifest":
        return this.model.manifest;
      case "health":
        return this.health();
    }
    const own = Object.hasOwn(this.#methods, method) ? this.#methods[method] : undefined;
    if (own) return own(args, signal);
    throw new ClusterError(
      "UNIMPLEMENTED",
      `model actor has no method ${JSON.stringify(method)} (${this.methodNames.join(", ")})`,
    );
  }

  async infer(args: InferArgs, signal: AbortSignal): Promise<InferResult> {
    const outcome = await this.#inference.infer(args, signal);
    return { ...outcome, executionProvider: this.choice.provider };
  }

  health(): ModelHealth {
    const { manifest, sha256 } = this.model;
    return {
      executionProvider: this.choice.provider,
      reason: this.choice.reason,
      model: { name: manifest.name, version: manifest.version, sha256 },
      batching: this.#inference.batching,
    };
  }

  /** Releases every session (once). */
  close(): Promise<void> {
    this.#released ??= Promise.all([...this.#sessions.values()].map((s) => s.release())).then(() => {});
    return this.#released;
  }

  #runtime(): ModelRuntime {
    const { model } = this;
    const sessions = this.#sessions;
    const inference = this.#inference;
    return {
      manifest: model.manifest,
      executionProvider: this.choice.provider,
      run(graph, feeds, outputNames) {
        const session = sessions.get(graph);
        if (!session)
          throw new ClusterError("INTERNAL", `model ${model.manifest.name} has no graph ${graph}`);
        return runSession(session, feeds, outputNames);
      },
      infer: (feeds, signal) => inference.inferFlat(feeds, signal),
      data(name) {
        const companion = Object.hasOwn(model.companions, name) ? model.companions[name] : undefined;
        if (!companion)
          throw new ClusterError("INTERNAL", `model ${model.manifest.name} has no data file ${name}`);
        return companion.bytes;
      },
    };
  }
}
