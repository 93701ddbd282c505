/**
 * zod schemas for ModelManifest and TensorSpec (the types live in @neurogrid/schema), for
 * manifests that arrive as data: a model actor's initArgs, a model registered by an operator.
 */
import type {
  BatchingConfig,
  ModelDeploymentConfig,
  ModelManifest,
  ModelTaskConfig,
  Pricing,
  ResultComparison,
  TensorSpec,
} from "@neurogrid/schema";
import { z } from "zod";

export const tensorSpecSchema = z.strictObject({
  name: z.string().min(1),
  dtype: z.enum(["float32", "int64", "int32"]),
  shape: z.array(z.number().int().min(-1)),
}) satisfies z.ZodType<TensorSpec>;

const smallestUnits = z
  .string()
  .regex(/^\d+$/, "an integer count of the token's smallest unit, as a decimal string");

export const pricingSchema = z.strictObject({
  unit: z.enum(["call", "output_token", "compute_ms"]),
  price: smallestUnits,
  maxUnits: z.number().int().positive(),
}) satisfies z.ZodType<Pricing>;

export const batchingSchema = z.strictObject({
  maxBatchSize: z.number().int().min(1).max(4096),
  batchWaitTimeoutMs: z.number().min(0).max(10_000),
}) satisfies z.ZodType<BatchingConfig>;

const count = z.number().int().min(0).max(10_000);
const delayMs = z.number().int().min(0).max(86_400_000);

const deploymentSchema = z
  .strictObject({
    minReplicas: count.optional(),
    maxReplicas: count.min(1).optional(),
    targetOngoingRequests: z.number().positive().max(100_000).optional(),
    upscaleDelayMs: delayMs.optional(),
    downscaleDelayMs: delayMs.optional(),
    multiplex: z
      .strictObject({
        group: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "lower-case letters, digits, . _ -"),
        maxModels: z.number().int().min(1).max(1_000).optional(),
      })
      .optional(),
  })
  .refine(
    (d) => d.minReplicas === undefined || d.maxReplicas === undefined || d.minReplicas <= d.maxReplicas,
    {
      message: "minReplicas is above maxReplicas",
      path: ["minReplicas"],
    },
  ) satisfies z.ZodType<ModelDeploymentConfig>;

const positiveInt = z.number().int().positive();
const durationMs = z.number().int().min(0).max(3_600_000);

const taskConfigSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("tensor") }),
  z.strictObject({ kind: z.literal("generate") }),
  z.strictObject({
    kind: z.literal("ocr"),
    maxImageBytes: positiveInt.max(64 * 2 ** 20).optional(),
    maxPixels: positiveInt.max(4096 * 4096).optional(),
  }),
  z.strictObject({
    kind: z.literal("vad"),
    maxDurationMs: positiveInt.max(3_600_000).optional(),
    threshold: z.number().gt(0).lt(1).optional(),
    minSpeechMs: durationMs.optional(),
    minSilenceMs: durationMs.optional(),
    speechPadMs: durationMs.optional(),
  }),
]) satisfies z.ZodType<ModelTaskConfig>;

const modelRef = z.string().regex(/^[^@\s]+@[^@\s]+$/, "a model as name@version");
const tolerance = z.strictObject({
  atol: z.number().min(0).max(1e6),
  rtol: z.number().min(0).max(1),
});

/** A comparison rule (ResultComparison); that its outputs exist is checked by result-comparison.ts. */
const resultComparisonSchema = z.discriminatedUnion("rule", [
  z.strictObject({ rule: z.literal("exact") }),
  z.strictObject({ rule: z.literal("close"), tolerances: z.record(z.string().min(1), tolerance).optional() }),
  z.strictObject({ rule: z.literal("argmax"), output: z.string().min(1) }),
  z.strictObject({
    rule: z.literal("topk"),
    output: z.string().min(1),
    k: z.number().int().min(1).max(1_000),
  }),
  z.strictObject({ rule: z.literal("text") }),
]) satisfies z.ZodType<ResultComparison>;

export const modelManifestSchema = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1),
  description: z.string(),
  inputs: z.array(tensorSpecSchema).min(1),
  outputs: z.array(tensorSpecSchema).min(1),
  pricePerCall: smallestUnits,
  pricing: pricingSchema.optional(),
  batching: batchingSchema.optional(),
  maxRows: z.number().int().min(1).max(1_000_000).optional(),
  vocabulary: z.array(z.string().length(1)).min(1).max(65_536).optional(),
  resources: z.strictObject({
    cpus: z.number().nonnegative(),
    memoryMb: z.number().nonnegative(),
    gpus: z.number().nonnegative(),
  }),
  executionProviders: z
    .array(z.enum(["cuda", "webgpu", "cpu"]))
    .min(1)
    .refine((list) => new Set(list).size === list.length, "names a provider twice")
    .optional(),
  deployment: deploymentSchema.optional(),
  task: taskConfigSchema.optional(),
  pipeline: z
    .strictObject({
      className: z.string().min(1),
      stages: z.record(z.string().min(1), modelRef),
    })
    .optional(),
  comparison: resultComparisonSchema.optional(),
  verification: z.strictObject({ sampleRate: z.number().min(0).max(1).optional() }).optional(),
}) satisfies z.ZodType<ModelManifest>;

/** One line per problem: "inputs.0.shape: ..." (for error messages). */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}
