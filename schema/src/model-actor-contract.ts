/**
 * The model actor's contract (ActorSpec.className "model"): what the api puts in its initArgs
 * and sends to its `infer` method, and what `infer` answers. The actor (cluster's
 * runtime/model-actor.ts) parses its initArgs and calls into exactly these types, so the two
 * sides cannot drift apart.
 *
 * Where the model comes from (ModelSource), one of:
 *   - builtin: name + version only (the actor builds it);
 *   - path + sha256: a model file on the actor's machine;
 *   - artifact { url, sha256, token?, cacheLimitBytes? }: downloaded into the actor machine's
 *     content-addressed cache on first use.
 * Every source is verified against its sha256 before it is loaded; a model that is not builtin
 * also carries its manifest.
 *
 *   infer  InferArgs { inputs }  ->  InferResult { outputs, executionProvider, inferenceMs,
 *                                                   batchSize, batchRequests }
 */
import type { BatchingConfig, ModelManifest, TensorMap } from "./model.js";
import type { ExecutionProvider } from "./task.js";

/** A registered model's file, served over HTTP (the api's GET /models/<sha256>). */
export interface ArtifactSource {
  /** An http or https URL. */
  url: string;
  /** The sha256 (64 hex digits) the downloaded bytes must have. */
  sha256: string;
  /** Capability token for that artifact, sent as a Bearer credential. */
  token?: string | undefined;
  /** Total size the machine's model file cache may keep (least recently used out first). */
  cacheLimitBytes?: number | undefined;
}

/** A model and where its bytes come from; see the file header. */
export interface ModelSource {
  name: string;
  version: string;
  /** A model file to load instead of a builtin model; needs sha256. */
  path?: string | undefined;
  sha256?: string | undefined;
  /** A registered artifact to download instead of a builtin model (not with path). */
  artifact?: ArtifactSource | undefined;
  /** The manifest of a model that is not builtin. */
  manifest?: ModelManifest | undefined;
  /** Batching limits over the manifest's; maxBatchSize 1 turns batching off. */
  batching?: BatchingConfig | undefined;
}

/** Options of the actor process that runs models, beside the model itself. */
export interface ModelRuntimeOptions {
  /** The machine's content-addressed model file cache; the actor's default when absent. */
  cacheDir?: string | undefined;
  /** Providers tried in order; a GPU one only where the actor was given a GPU. */
  executionProviders?: ExecutionProvider[] | undefined;
  intraOpNumThreads?: number | undefined;
}

/** The model actor's initArgs. */
export interface ModelActorInit extends ModelSource, ModelRuntimeOptions {}

/** `infer`'s arguments: tensor name -> nested array of numbers, as the manifest's inputs say. */
export interface InferArgs {
  inputs: TensorMap;
}

/** `infer`'s answer. */
export interface InferResult {
  /** Tensor name -> nested array of numbers (int64 outputs as JS numbers). */
  outputs: TensorMap;
  /** Where the inference ran. */
  executionProvider: ExecutionProvider;
  inferenceMs: number;
  /** Rows in the inference this call ran in (its own and those of the calls it shared it with). */
  batchSize: number;
  /** Calls that shared that inference, this one included. */
  batchRequests: number;
}
