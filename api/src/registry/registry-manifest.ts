/**
 * A registered model's manifest: the cluster's ModelManifest (validated with the schema the
 * model actor itself uses) plus the sha256 of its ONNX artifact. The stored manifest keeps the
 * sha256, so whoever holds a model's manifest knows which bytes it names; `plainManifest`
 * strips it again for the actor, whose manifest schema is strict.
 */
import {
  comparisonProblem,
  findBuiltinModel,
  formatZodIssues,
  modelManifestSchema,
} from "@neurogrid/cluster/models";
import type { ModelManifest } from "@neurogrid/schema";
import { z } from "zod";

export const SHA256_HEX = /^[0-9a-f]{64}$/;

const registryManifestSchema = modelManifestSchema.extend({
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "64 hex digits")
    .transform((s) => s.toLowerCase())
    .optional(),
});

export type RegisteredManifest = ModelManifest & { sha256: string };

export type ManifestParse =
  | { ok: true; manifest: ModelManifest & { sha256?: string } }
  | { ok: false; message: string };

export function parseRegistryManifest(input: unknown): ManifestParse {
  const parsed = registryManifestSchema.safeParse(input);
  if (!parsed.success) return { ok: false, message: formatZodIssues(parsed.error) };
  const comparison = comparisonProblem(parsed.data);
  if (comparison !== undefined) return { ok: false, message: `comparison: ${comparison}` };
  const { sha256, ...rest } = parsed.data;
  return { ok: true, manifest: sha256 === undefined ? rest : { ...rest, sha256 } };
}

/** The manifest without registry fields: what the model actor's strict schema accepts. */
export function plainManifest(manifest: ModelManifest): ModelManifest {
  const { sha256: _sha256, ...rest } = manifest as ModelManifest & { sha256?: unknown };
  return rest;
}

/** The artifact's sha256 of a registered (non-builtin) model's manifest; undefined for a builtin. */
export function registeredSha256Of(manifest: ModelManifest): string | undefined {
  if (findBuiltinModel(manifest.name, manifest.version)) return undefined;
  const sha256 = (manifest as ModelManifest & { sha256?: unknown }).sha256;
  return typeof sha256 === "string" && SHA256_HEX.test(sha256) ? sha256 : undefined;
}
