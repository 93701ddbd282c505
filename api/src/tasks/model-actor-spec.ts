import type { ActorSpec, ModelManifest } from "@neurogrid/schema";

/**
 * The named actor that serves one model version: one per cluster, got or created by name.
 * Detached (it outlives whichever dispatcher created it), restarted by the head whenever its
 * node or process dies, and its callers retry a call cut by such a death.
 */
export const MODEL_NAMESPACE = "neurogrid-models";

export function modelActorSpec(manifest: ModelManifest, cacheDir?: string): ActorSpec {
  return {
    name: `model:${manifest.name}@${manifest.version}`,
    namespace: MODEL_NAMESPACE,
    className: "model",
    initArgs: { name: manifest.name, version: manifest.version, ...(cacheDir ? { cacheDir } : {}) },
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
