/**
 * The model actor: onnxruntime sessions serving one model (its main graph, and any companion
 * graphs it brings), inside its own actor process (see actor-class.ts).
 *
 * Start-up (createModelActor):
 *   initArgs (validated) -> model bytes + manifest (models/model-source.ts: a verified file, the
 *   builtin model through the content-addressed cache otherwise) -> execution provider, chosen
 *   explicitly (execution-provider.ts) -> a session per graph (the main one and any companion
 *   graphs) with exactly that provider and explicit thread counts -> the main graph checked
 *   against the manifest.
 *
 * Methods:
 *   infer    { inputs: TensorMap }
 *            -> { outputs, executionProvider, inferenceMs, batchSize, batchRequests }
 *            Input is validated against the manifest first (tensor.ts; INVALID_ARGUMENT with the
 *            tensor's name and what was wrong). A call whose signal is already aborted is
 *            CANCELLED before it runs. Concurrent calls are batched (model-actor-infer.ts) under
 *            the initArgs' batching limits, else the manifest's; batchSize is the rows of the
 *            inference the call ran in, batchRequests the calls that shared it. Outputs are the
 *            manifest's outputs, as nested arrays: each call gets only its own rows.
 *   manifest -> the ModelManifest
 *   health   -> { executionProvider, reason, model: { name, version, sha256 }, batching }
 *   the model's own methods (models/model-program.ts), e.g. ocr, generate (streams)
 *   anything else -> UNIMPLEMENTED
 *
 * maxConcurrency is high (MODEL_ACTOR_MAX_CONCURRENCY): calls must reach the batcher together
 * to be batched; the batcher, not the host's queue, decides what runs.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BatchingConfig, TensorMap } from "@neurogrid/schema";
import type { InferenceSession } from "onnxruntime-node";
import { z } from "zod";
import { ClusterError } from "../errors.js";
import { manifestMismatch } from "../models/manifest-check.js";
import { batchingSchema, formatZodIssues, modelManifestSchema } from "../models/manifest-schema.js";
import type { ModelMethods, ModelRuntime } from "../models/model-program.js";
import { type LoadedModel, loadModel } from "../models/model-source.js";
import type { ActorClass, ActorContext, ActorInstance } from "./actor-class.js";
import {
  chooseExecutionProvider,
  DEFAULT_PROVIDER_PREFERENCE,
  type ProviderChoice,
  type ProviderProbe,
} from "./execution-provider.js";
import { createOnnxruntimeProbe } from "./execution-provider-probe.js";
import { ModelInfer } from "./model-actor-infer.js";
import { openSession, runSession } from "./model-actor-session.js";

export const modelActorInitArgsSchema = z
  .strictObject({
    name: z.string().min(1),
    version: z.string().min(1),
    /** Where builtin models are written; default <os tmpdir>/neurogrid-models. */
    cacheDir: z.string().min(1).optional(),
    /** A model file to load instead of a builtin model; needs sha256. */
    path: z.string().min(1).optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "64 hex digits")
      .optional(),
    executionProviders: z
      .array(z.enum(["cuda", "cpu"]))
      .min(1)
      .optional(),
    intraOpNumThreads: z.number().int().min(1).max(256).optional(),
    /** The manifest for a model that is not builtin. */
    manifest: modelManifestSchema.optional(),
    /** This replica's batching limits, over the manifest's; maxBatchSize 1 turns batching off. */
    batching: batchingSchema.optional(),
  })
  .refine((a) => (a.path === undefined) === (a.sha256 === undefined), {
    message: "path and sha256 must be given together",
    path: ["path"],
  });

export type ModelActorInitArgs = z.infer<typeof modelActorInitArgsSchema>;

export interface InferResult {
  outputs: TensorMap;
  executionProvider: ProviderChoice["provider"];
  inferenceMs: number;
  /** Rows in the inference this call ran in. */
  batchSize: number;
  /** Calls that shared that inference, this one included. */
  batchRequests: number;
}

export interface ModelHealth {
  executionProvider: ProviderChoice["provider"];
  reason: string;
  model: { name: string; version: string; sha256: string };
  /** The batching limits in force; undefined when every call runs alone. */
  batching: BatchingConfig | undefined;
}

/** High enough that concurrent calls reach the batcher rather than the host's queue. */
export const MODEL_ACTOR_MAX_CONCURRENCY = 10_000;

export const createModelActor: ActorClass = (initArgs, ctx) => startModelActor(initArgs, ctx);

/** createModelActor with an injectable provider probe (tests). */
export async function startModelActor(
  initArgs: unknown,
  ctx: ActorContext,
  probe: ProviderProbe = createOnnxruntimeProbe(),
): Promise<ActorInstance> {
  const parsed = modelActorInitArgsSchema.safeParse(initArgs);
  if (!parsed.success) {
    throw new ClusterError("INVALID_ARGUMENT", `model actor initArgs: ${formatZodIssues(parsed.error)}`);
  }
  const args = parsed.data;
  const model = await loadModel({ ...args, cacheDir: args.cacheDir ?? join(tmpdir(), "neurogrid-models") });
  const choice = await chooseExecutionProvider(
    ctx,
    args.executionProviders ?? DEFAULT_PROVIDER_PREFERENCE,
    probe,
  );
  const sessions = await openSessions(model, choice, args.intraOpNumThreads);
  return new ModelActor(model, choice, sessions, args.batching ?? model.manifest.batching);
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

class ModelActor implements ActorInstance {
  readonly maxConcurrency = MODEL_ACTOR_MAX_CONCURRENCY;
  private closed = false;
  private readonly inference: ModelInfer;
  private readonly methods: ModelMethods;

  constructor(
    private readonly model: LoadedModel,
    private readonly choice: ProviderChoice,
    private readonly sessions: ReadonlyMap<string, InferenceSession>,
    batching: BatchingConfig | undefined,
  ) {
    const main = sessions.get("main") as InferenceSession;
    this.inference = new ModelInfer(model.manifest, batching, (feeds, names) =>
      runSession(main, feeds, names),
    );
    const runtime = this.runtime();
    this.methods = model.program?.(runtime) ?? {};
  }

  async call(method: string, args: unknown, signal: AbortSignal): Promise<unknown> {
    if (this.closed) throw new ClusterError("INTERNAL", "model actor is closed");
    switch (method) {
      case "infer":
        return this.infer(args, signal);
      case "manifest":
        return this.model.manifest;
      case "health":
        return this.health();
    }
    const own = Object.hasOwn(this.methods, method) ? this.methods[method] : undefined;
    if (own) return own(args, signal);
    const names = ["infer", "manifest", "health", ...Object.keys(this.methods)].join(", ");
    throw new ClusterError("UNIMPLEMENTED", `model actor has no method ${JSON.stringify(method)} (${names})`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.sessions.values()].map((s) => s.release()));
  }

  private runtime(): ModelRuntime {
    const { model, sessions, inference } = this;
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

  private health(): ModelHealth {
    const { manifest, sha256 } = this.model;
    return {
      executionProvider: this.choice.provider,
      reason: this.choice.reason,
      model: { name: manifest.name, version: manifest.version, sha256 },
      batching: this.inference.batching,
    };
  }

  private async infer(args: unknown, signal: AbortSignal): Promise<InferResult> {
    const outcome = await this.inference.infer(args, signal);
    return { ...outcome, executionProvider: this.choice.provider };
  }
}
