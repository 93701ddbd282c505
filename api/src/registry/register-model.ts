/**
 * Registering a model version: validate the manifest, check (or compute) the artifact's
 * sha256, store the bytes once per content and the model row, in one transaction.
 *
 *   bad manifest, empty or oversized artifact, sha256 mismatch  -> BAD_USER_INPUT
 *   name@version is builtin, or exists with other bytes/manifest -> CONFLICT
 *   name@version exists with the same bytes and manifest        -> the existing row (idempotent)
 *
 * After the commit the artifact is written into the local model cache directory, so a model
 * actor on this machine finds it by path (see tasks/model-actor-spec.ts). When the api's public
 * URL is configured, actors anywhere download it from GET /models/:sha256 instead
 * (artifact-routes.ts), with a token for that artifact.
 */
import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { ensureModelFile, findBuiltinModel, sha256Hex } from "@neurogrid/cluster/models";
import { Model } from "../db/entities/index.js";
import { ApiError, badInput } from "../errors.js";
import { parseRegistryManifest, plainManifest, type RegisteredManifest } from "./registry-manifest.js";

const DEFAULT_MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

export interface RegisterModelRequest {
  /** The manifest as data (JSON); validated here. */
  manifest: unknown;
  artifact: Uint8Array;
}

export interface RegisterModelOptions {
  maxArtifactBytes?: number;
  /** Also write the artifact into this cache directory (the single-machine path). */
  cacheDir?: string;
}

export interface RegisteredModel {
  model: Model;
  sha256: string;
  sizeBytes: number;
  /** false when the same name@version with the same bytes was already registered. */
  created: boolean;
}

export async function registerModel(
  em: EntityManager,
  req: RegisterModelRequest,
  opts: RegisterModelOptions = {},
): Promise<RegisteredModel> {
  const parsed = parseRegistryManifest(req.manifest);
  if (!parsed.ok) throw badInput(`invalid model manifest: ${parsed.message}`);
  const { name, version } = parsed.manifest;
  const key = `${name}@${version}`;
  const max = opts.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES;
  if (req.artifact.byteLength === 0) throw badInput("the model artifact is empty");
  if (req.artifact.byteLength > max) {
    throw badInput(`the model artifact is ${req.artifact.byteLength} bytes; the limit is ${max}`);
  }
  const sha256 = sha256Hex(req.artifact);
  if (parsed.manifest.sha256 !== undefined && parsed.manifest.sha256 !== sha256) {
    throw badInput(
      `artifact sha256 mismatch for ${key}: the manifest says ${parsed.manifest.sha256}, the uploaded bytes hash to ${sha256}; refusing them`,
      { expected: parsed.manifest.sha256, actual: sha256 },
    );
  }
  if (findBuiltinModel(name, version)) {
    throw new ApiError("CONFLICT", `${key} is a builtin model; register under another name or version`);
  }
  const manifest: RegisteredManifest = { ...plainManifest(parsed.manifest), sha256 };

  const result = await em
    .transactional(async (tx) => {
      const existing = await tx.findOne(Model, { name, version });
      if (existing) return { model: sameOrConflict(existing, manifest), created: false };
      await tx.getConnection().execute(
        `insert into model_artifacts (sha256, size_bytes, bytes, created_at) values (?, ?, ?, now())
       on conflict (sha256) do nothing`,
        [sha256, req.artifact.byteLength, Buffer.from(req.artifact)],
        "run",
        tx.getTransactionContext(),
      );
      const model = tx.create(Model, {
        name,
        version,
        manifest,
        pricePerCall: BigInt(manifest.pricePerCall),
        sha256,
        sizeBytes: BigInt(req.artifact.byteLength),
      });
      await tx.persist(model).flush();
      return { model, created: true };
    })
    .catch((err: unknown) => {
      if (err instanceof UniqueConstraintViolationException) {
        throw new ApiError("CONFLICT", `${key} was registered at the same moment by another request; retry`);
      }
      throw err;
    });
  if (opts.cacheDir !== undefined) await ensureModelFile(opts.cacheDir, req.artifact);
  return { ...result, sha256, sizeBytes: req.artifact.byteLength };
}

function sameOrConflict(existing: Model, manifest: RegisteredManifest): Model {
  const key = `${existing.name}@${existing.version}`;
  if (existing.sha256 !== manifest.sha256) {
    throw new ApiError(
      "CONFLICT",
      `${key} is already registered with other bytes (sha256 ${existing.sha256 ?? "none: builtin"}); a version is immutable, register a new version`,
      { existingSha256: existing.sha256 ?? null, sha256: manifest.sha256 },
    );
  }
  if (canonical(existing.manifest) !== canonical(manifest)) {
    throw new ApiError(
      "CONFLICT",
      `${key} is already registered with the same bytes but another manifest; register a new version`,
    );
  }
  return existing;
}

/** JSON with sorted keys (jsonb does not keep key order). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
