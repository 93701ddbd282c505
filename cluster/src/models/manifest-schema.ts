/**
 * zod schemas for ModelManifest and TensorSpec (the types live in @neurogrid/schema), for
 * manifests that arrive as data: a model actor's initArgs, a model registered by an operator.
 */
import type { ModelManifest, TensorSpec } from "@neurogrid/schema";
import { z } from "zod";

export const tensorSpecSchema = z.strictObject({
  name: z.string().min(1),
  dtype: z.enum(["float32", "int64", "int32"]),
  shape: z.array(z.number().int().min(-1)),
}) satisfies z.ZodType<TensorSpec>;

export const modelManifestSchema = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1),
  description: z.string(),
  inputs: z.array(tensorSpecSchema).min(1),
  outputs: z.array(tensorSpecSchema).min(1),
  pricePerCall: z
    .string()
    .regex(/^\d+$/, "an integer count of the token's smallest unit, as a decimal string"),
  resources: z.strictObject({
    cpus: z.number().nonnegative(),
    memoryMb: z.number().nonnegative(),
    gpus: z.number().nonnegative(),
  }),
}) satisfies z.ZodType<ModelManifest>;

/** One line per problem: "inputs.0.shape: ..." (for error messages). */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}
