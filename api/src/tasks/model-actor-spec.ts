import type { ActorSpec, ModelManifest } from "@neurogrid/schema";

/** The named actor that serves one model version: one per cluster, got or created by name. */
export const MODEL_NAMESPACE = "neurogrid-models";

export function modelActorSpec(manifest: ModelManifest, cacheDir?: string): ActorSpec {
  return {
    name: `model:${manifest.name}@${manifest.version}`,
    namespace: MODEL_NAMESPACE,
    className: "model",
    initArgs: { name: manifest.name, version: manifest.version, ...(cacheDir ? { cacheDir } : {}) },
    resources: {
      cpus: manifest.resources.cpus,
      memoryMb: manifest.resources.memoryMb,
      gpus: manifest.resources.gpus,
      custom: {},
    },
  };
}
