/**
 * Where a model actor's bytes and manifest come from.
 *
 * - `path` + `sha256`: an existing model file, loaded only if its sha256 matches.
 * - otherwise the builtin model name@version: built in memory, written through the
 *   content-addressed cache, then read back from that file (so the file-loading path, with its
 *   integrity check, is the one path every model takes).
 *
 * The manifest is the one passed in, else the builtin model's; a model with neither is refused.
 */
import type { ModelManifest } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { builtinModels, findBuiltinModel, modelKey } from "./builtin-models.js";
import { ensureModelFile, loadModelFile } from "./model-file-cache.js";

export interface ModelSourceOptions {
  name: string;
  version: string;
  cacheDir: string;
  path?: string;
  sha256?: string;
  manifest?: ModelManifest;
}

export interface LoadedModel {
  manifest: ModelManifest;
  /** Verified bytes: hand these (not the path) to the runtime. */
  bytes: Uint8Array;
  path: string;
  sha256: string;
}

export async function loadModel(options: ModelSourceOptions): Promise<LoadedModel> {
  const key = modelKey(options.name, options.version);
  const builtin = findBuiltinModel(options.name, options.version);
  const manifest = options.manifest ?? builtin?.manifest;
  if (!manifest) {
    const known = Object.keys(builtinModels).join(", ");
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `model ${key} is not a builtin model (${known}); pass its manifest along with path and sha256`,
    );
  }
  if (modelKey(manifest.name, manifest.version) !== key) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `manifest is for ${modelKey(manifest.name, manifest.version)}, but the actor was asked for ${key}`,
    );
  }
  let file: { path: string; sha256: string };
  if (options.path !== undefined && options.sha256 !== undefined) {
    file = { path: options.path, sha256: options.sha256.toLowerCase() };
  } else if (builtin) {
    file = await ensureModelFile(options.cacheDir, builtin.build());
  } else {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `model ${key} is not builtin: give path and sha256 of its file`,
    );
  }
  const bytes = await loadModelFile(file.path, file.sha256);
  return { manifest, bytes, ...file };
}
