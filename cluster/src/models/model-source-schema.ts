/**
 * zod schemas for where a model comes from, as data: the model actor's initArgs and the
 * model mux's model references (runtime/model-mux-args.ts) share them, so both load through
 * the same model-source.ts with the same integrity checks.
 *
 * One source per model:
 *   - builtin: name + version only;
 *   - path + sha256: a model file on this machine;
 *   - artifact { url, sha256, token?, cacheLimitBytes? }: fetched over HTTP into the
 *     content-addressed cache (artifact-download.ts).
 * A model that is not builtin also needs its manifest.
 */
import type { ArtifactSource } from "@neurogrid/schema";
import { z } from "zod";
import { batchingSchema, modelManifestSchema } from "./manifest-schema.js";

const sha256Schema = z.string().regex(/^[0-9a-fA-F]{64}$/, "64 hex digits");

export const artifactSourceSchema = z.strictObject({
  /** The artifact's URL (the api's GET /models/<sha256>); http or https. */
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), "an http or https URL"),
  /** The sha256 the downloaded bytes must have. */
  sha256: sha256Schema,
  /** Capability token for that artifact, sent as a Bearer credential. */
  token: z.string().min(1).optional(),
  /** Total size the worker's model file cache may keep (LRU); default 10 GiB. */
  cacheLimitBytes: z.number().int().positive().optional(),
}) satisfies z.ZodType<ArtifactSource>;

/** The fields that name a model and its source; spread into a strict object. */
export const modelSourceFields = {
  name: z.string().min(1),
  version: z.string().min(1),
  /** A model file to load instead of a builtin model; needs sha256. */
  path: z.string().min(1).optional(),
  sha256: sha256Schema.optional(),
  /** A registered artifact to download instead of a builtin model. */
  artifact: artifactSourceSchema.optional(),
  /** The manifest for a model that is not builtin. */
  manifest: modelManifestSchema.optional(),
  /** Batching limits for this model, over the manifest's; maxBatchSize 1 turns batching off. */
  batching: batchingSchema.optional(),
};

interface SourceFields {
  path?: string | undefined;
  sha256?: string | undefined;
  artifact?: unknown;
}

/** The checks across fields: path and sha256 together, and not both a path and an artifact. */
export function checkModelSource(value: SourceFields, ctx: z.RefinementCtx): void {
  if ((value.path === undefined) !== (value.sha256 === undefined)) {
    ctx.addIssue({ code: "custom", message: "path and sha256 must be given together", path: ["path"] });
  }
  if (value.artifact !== undefined && value.path !== undefined) {
    ctx.addIssue({ code: "custom", message: "give either path or artifact, not both", path: ["artifact"] });
  }
}
