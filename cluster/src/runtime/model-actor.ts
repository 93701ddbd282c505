/**
 * The model actor: one onnxruntime InferenceSession serving one model, inside its own actor
 * process (see actor-class.ts).
 *
 * Start-up (createModelActor):
 *   initArgs (validated) -> model bytes + manifest (models/model-source.ts: a verified file, the
 *   builtin model through the content-addressed cache otherwise) -> execution provider, chosen
 *   explicitly (execution-provider.ts) -> a session with exactly that provider and explicit
 *   thread counts -> the graph checked against the manifest.
 *
 * Methods:
 *   infer    { inputs: TensorMap } -> { outputs, executionProvider, inferenceMs, batchSize }
 *            Input is validated against the manifest first (tensor.ts; INVALID_ARGUMENT with the
 *            tensor's name and what was wrong). A call whose signal is already aborted is
 *            CANCELLED before it runs. Outputs are the manifest's outputs, as nested arrays.
 *   manifest -> the ModelManifest
 *   health   -> { executionProvider, reason, model: { name, version, sha256 } }
 *   anything else -> UNIMPLEMENTED
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ModelManifest, TensorMap } from "@neurogrid/schema";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { z } from "zod";
import { ClusterError } from "../errors.js";
import { manifestMismatch } from "../models/manifest-check.js";
import { formatZodIssues, modelManifestSchema } from "../models/manifest-schema.js";
import { type LoadedModel, loadModel } from "../models/model-source.js";
import type { ActorClass, ActorContext, ActorInstance } from "./actor-class.js";
import {
  chooseExecutionProvider,
  DEFAULT_PROVIDER_PREFERENCE,
  type ProviderChoice,
  type ProviderProbe,
  sessionOptionsFor,
} from "./execution-provider.js";
import { createOnnxruntimeProbe } from "./execution-provider-probe.js";
import { type FlatTensor, parseTensorMap, tensorToNested } from "./tensor.js";

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
  })
  .refine((a) => (a.path === undefined) === (a.sha256 === undefined), {
    message: "path and sha256 must be given together",
    path: ["path"],
  });

export type ModelActorInitArgs = z.infer<typeof modelActorInitArgsSchema>;

const inferArgsSchema = z.strictObject({ inputs: z.unknown() });

export interface InferResult {
  outputs: TensorMap;
  executionProvider: ProviderChoice["provider"];
  inferenceMs: number;
  batchSize: number;
}

export interface ModelHealth {
  executionProvider: ProviderChoice["provider"];
  reason: string;
  model: { name: string; version: string; sha256: string };
}

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
  const session = await createSession(model, choice, args.intraOpNumThreads);
  return new ModelActor(model, choice, session);
}

async function createSession(
  model: LoadedModel,
  choice: ProviderChoice,
  intraOpNumThreads: number | undefined,
): Promise<InferenceSession> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(
      model.bytes,
      sessionOptionsFor(choice.provider, { intraOpNumThreads }),
    );
  } catch (err) {
    throw new ClusterError(
      "INTERNAL",
      `cannot load model ${model.path} on ${choice.provider}: ${messageOf(err)}`,
      {
        cause: err,
      },
    );
  }
  const mismatch = manifestMismatch(model.manifest, {
    inputs: session.inputMetadata,
    outputs: session.outputMetadata,
  });
  if (mismatch) {
    await session.release();
    throw new ClusterError("INTERNAL", `model file ${model.path} does not match its manifest: ${mismatch}`);
  }
  return session;
}

class ModelActor implements ActorInstance {
  private closed = false;

  constructor(
    private readonly model: LoadedModel,
    private readonly choice: ProviderChoice,
    private readonly session: InferenceSession,
  ) {}

  async call(method: string, args: unknown, signal: AbortSignal): Promise<unknown> {
    if (this.closed) throw new ClusterError("INTERNAL", "model actor is closed");
    switch (method) {
      case "infer":
        return this.infer(args, signal);
      case "manifest":
        return this.model.manifest;
      case "health":
        return this.health();
      default:
        throw new ClusterError(
          "UNIMPLEMENTED",
          `model actor has no method ${JSON.stringify(method)} (infer, manifest, health)`,
        );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }

  private health(): ModelHealth {
    const { manifest, sha256 } = this.model;
    return {
      executionProvider: this.choice.provider,
      reason: this.choice.reason,
      model: { name: manifest.name, version: manifest.version, sha256 },
    };
  }

  private async infer(args: unknown, signal: AbortSignal): Promise<InferResult> {
    const parsedArgs = inferArgsSchema.safeParse(args);
    if (!parsedArgs.success) {
      throw new ClusterError("INVALID_ARGUMENT", `infer args: ${formatZodIssues(parsedArgs.error)}`);
    }
    const manifest = this.model.manifest;
    const parsed = parseTensorMap(manifest.inputs, parsedArgs.data.inputs);
    if (!parsed.ok) throw new ClusterError("INVALID_ARGUMENT", parsed.message);
    if (signal.aborted) throw new ClusterError("CANCELLED", "infer cancelled before the model ran");

    const feeds: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(parsed.tensors)) feeds[name] = new Tensor(t.dtype, t.data, t.dims);
    const started = performance.now();
    let results: InferenceSession.ReturnType;
    try {
      results = await this.session.run(
        feeds,
        manifest.outputs.map((o) => o.name),
      );
    } catch (err) {
      throw new ClusterError("INTERNAL", `inference failed: ${messageOf(err)}`, { cause: err });
    }
    const inferenceMs = performance.now() - started;

    const outputs: TensorMap = {};
    for (const spec of manifest.outputs) {
      const value = results[spec.name];
      if (!(value instanceof Tensor)) {
        throw new ClusterError("INTERNAL", `the model returned no tensor for output ${spec.name}`);
      }
      outputs[spec.name] = tensorToNested(value.data as ArrayLike<number | bigint>, value.dims);
    }
    return {
      outputs,
      executionProvider: this.choice.provider,
      inferenceMs,
      batchSize: batchSizeOf(manifest, parsed.tensors),
    };
  }
}

/** The first input's leading dimension when that dimension is dynamic (the batch), else 1. */
function batchSizeOf(manifest: ModelManifest, tensors: Record<string, FlatTensor>): number {
  const first = manifest.inputs[0];
  if (!first || first.shape[0] !== -1) return 1;
  return tensors[first.name]?.dims[0] ?? 1;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
