import type { ActorSpec, ModelManifest } from "@neurogrid/schema";
import { artifactPath, modelCacheDirOf } from "../registry/model-cache-dir.js";
import { plainManifest, registeredSha256Of } from "../registry/registry-manifest.js";

/**
 * The named actor that serves one model version: one per cluster, got or created by name.
 * Detached (it outlives whichever dispatcher created it), restarted by the head whenever its
 * node or process dies, and its callers retry a call cut by such a death.
 *
 * A builtin model is built by the actor itself from its name@version. A registered model (its
 * stored manifest carries the artifact's sha256) is loaded from `<cacheDir>/<sha256>.onnx`,
 * checked against that sha256, with its manifest passed along. That is the single-machine
 * path today: registration writes the artifact into the shared model cache directory
 * (registry/register-model.ts), which the actor reads. Workers on other machines will instead
 * fetch it from the api's GET /models/:sha256 into their own cache
 * (registry/artifact-download-cache.ts), once the model actor accepts an artifact URL.
 */
export const MODEL_NAMESPACE = "neurogrid-models";

export function modelActorSpec(manifest: ModelManifest, cacheDir?: string): ActorSpec {
  const sha256 = registeredSha256Of(manifest);
  const dir = sha256 ? modelCacheDirOf(cacheDir) : cacheDir;
  return {
    name: `model:${manifest.name}@${manifest.version}`,
    namespace: MODEL_NAMESPACE,
    className: "model",
    initArgs: {
      name: manifest.name,
      version: manifest.version,
      ...(dir ? { cacheDir: dir } : {}),
      ...(sha256 && dir
        ? { path: artifactPath(dir, sha256), sha256, manifest: plainManifest(manifest) }
        : {}),
    },
    lifetime: "detached",
    maxRestarts: -1,
    maxTaskRetries: 3,
    resources: {
      cpus: manifest.resources.cpus,
      memoryMb: manifest.resources.memoryMb,
      gpus: manifest.resources.gpus,
      custom: {},
    },
  };
}
