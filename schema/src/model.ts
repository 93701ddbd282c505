/**
 * A model's declared interface. Inputs and outputs are named tensors; a dimension of -1 is
 * dynamic (the batch dimension, usually). Prices are integers in the NEURO token's smallest
 * unit (9 decimals), carried as decimal strings across process and JSON boundaries.
 */
import type { ExecutionProvider } from "./task.js";
import type { ModelTaskConfig } from "./task-kind.js";

export type TensorDType = "float32" | "int64" | "int32";

export interface TensorSpec {
  name: string;
  dtype: TensorDType;
  shape: number[];
}

/**
 * How a model charges. `price` is per unit, in smallest units (decimal string); `maxUnits` is
 * how many units one task may use, so price x maxUnits is what submission holds in escrow.
 *   call          one unit per completed call
 *   output_token  one unit per token produced (streaming models)
 *   compute_ms    one unit per millisecond of model time, rounded up
 */
export type PricingUnit = "call" | "output_token" | "compute_ms";

export interface Pricing {
  unit: PricingUnit;
  price: string;
  maxUnits: number;
}

/**
 * Dynamic batching inside a replica: calls that arrive within `batchWaitTimeoutMs` of the
 * first waiting call run as one inference of up to `maxBatchSize` rows (the inputs' leading,
 * dynamic dimension). maxBatchSize 1 turns batching off (one inference per call).
 */
export interface BatchingConfig {
  maxBatchSize: number;
  batchWaitTimeoutMs: number;
}

/** Rows one task may send when its model's manifest does not say (ModelManifest.maxRows). */
export const DEFAULT_MAX_ROWS = 64;

export interface ModelManifest {
  name: string;
  version: string;
  description: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Price of one call, smallest units, decimal string (when `pricing` is absent). */
  pricePerCall: string;
  /** Metered pricing; absent means per call at pricePerCall. */
  pricing?: Pricing;
  /** Dynamic batching limits; absent means one inference per call. */
  batching?: BatchingConfig;
  /**
   * The most rows (each input's leading dynamic dimension) one task may send: one task's price
   * buys at most this much work. Absent: DEFAULT_MAX_ROWS.
   */
  maxRows?: number;
  /**
   * A character-level language model's vocabulary: the only characters a prompt may hold (a
   * prompt with others is refused at submit, naming them). Absent: any text.
   */
  vocabulary?: string[];
  /** Resources one replica needs. */
  resources: { cpus: number; memoryMb: number; gpus: number };
  /**
   * Execution providers a replica tries, in order (cuda, webgpu, cpu): a GPU one is taken only
   * where the replica was assigned a GPU and the provider really runs. Default: cuda, webgpu,
   * cpu. For a model that runs slower on a provider (e.g. ["cuda", "cpu"] to skip WebGPU).
   * Multiplexed models (deployment.multiplex) share their group's replicas and its default.
   */
  executionProviders?: ExecutionProvider[];
  /** How many replicas serve it and how they scale; DEPLOYMENT_DEFAULTS where absent. */
  deployment?: ModelDeploymentConfig;
  /**
   * What a task of this model takes and returns (task-kind.ts). Absent: "generate" when priced
   * per output token, else "tensor".
   */
  task?: ModelTaskConfig;
  /**
   * A model composed of other models' deployments (after Ray Serve's model composition): its
   * replicas are actors of `className`, whose initArgs name each stage's deployment; each
   * stage is a model "name@version" served by its own deployment. Absent: a model actor.
   */
  pipeline?: ModelPipeline;
  /**
   * How two results of the same input are compared when a task is verified (re-run on another
   * provider's node). Absent: `close` at DEFAULT_TOLERANCE for every output.
   */
  comparison?: ResultComparison;
  /** How result verification treats this model's tasks. */
  verification?: ModelVerification;
}

export interface ModelVerification {
  /**
   * The share of this model's tasks re-run on another provider's node, for a provider of
   * reputation 1 (a lower score raises it). Absent: the api's default (its
   * verificationSampleRate, 5% unless the operator set another).
   */
  sampleRate?: number;
}

export interface ModelPipeline {
  className: string;
  /** Stage name (an initArgs key of the pipeline actor) -> the model "name@version" serving it. */
  stages: Record<string, string>;
}

/** How far apart two honest values of one output may be: |a - b| <= atol + rtol * max(|a|, |b|). */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/** The tolerance of a `close` output the manifest does not name, and of a model that declares none. */
export const DEFAULT_TOLERANCE: Readonly<Tolerance> = Object.freeze({ atol: 1e-4, rtol: 1e-3 });

/**
 * A model's comparison rule for result verification:
 *   exact    every output bit-identical (one execution provider, fixed threads and graph options)
 *   close    every output element within its tolerance (`tolerances` by output name; an output
 *            not named there: DEFAULT_TOLERANCE); shapes must be equal
 *   argmax   the index of the largest value along the last axis of `output`, for every row,
 *            must be equal (classification: the class a client acts on)
 *   topk     the set of the `k` largest indices along the last axis of `output`, for every row
 *   text     the generated `text` (a `generate` result) must be identical (same seed)
 */
export type ResultComparison =
  | { rule: "exact" }
  | { rule: "close"; tolerances?: Record<string, Tolerance> }
  | { rule: "argmax"; output: string }
  | { rule: "topk"; output: string; k: number }
  | { rule: "text" };

/**
 * A model's deployment (see deployment.ts): replicas between min and max, scaled on ongoing
 * requests per replica, down to min after downscaleDelayMs without load.
 */
export interface ModelDeploymentConfig {
  minReplicas?: number;
  maxReplicas?: number;
  targetOngoingRequests?: number;
  upscaleDelayMs?: number;
  downscaleDelayMs?: number;
  /**
   * Serve this model from a shared replica set with the other models of the same group (model
   * multiplexing): each replica keeps up to `maxModels` of them loaded, least recently used
   * evicted. For small models, so that many share few GPUs. `infer` only (not streaming).
   */
  multiplex?: { group: string; maxModels?: number };
}

/** Task input and output on the wire: tensor name -> nested array of numbers. */
export type TensorMap = Record<string, unknown>;
