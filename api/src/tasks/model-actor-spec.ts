import type { ActorSpec, ModelActorInit, ModelManifest } from "@neurogrid/schema";
import type { ApiConfig } from "../config.js";
import {
  artifactTokenSecret,
  DEFAULT_ARTIFACT_TOKEN_TTL_MS,
  issueArtifactToken,
} from "../registry/artifact-token.js";
import { artifactPath, modelCacheDirOf } from "../registry/model-cache-dir.js";
import { plainManifest, registeredSha256Of } from "../registry/registry-manifest.js";

/**
 * The named actor that serves one model version: one per cluster, got or created by name.
 * Detached (it outlives whichever dispatcher created it), restarted by the head whenever its
 * node or process dies, and its callers retry a call cut by such a death.
 *
 * Where the actor gets the model:
 *   - a builtin model is built by the actor itself from its name@version, into its worker's own
 *     model cache (no cacheDir: a worker refuses one, cluster models/source-policy.ts);
 *   - a registered model (its stored manifest carries the artifact's sha256), when the api's
 *     public URL is configured: `artifact: { url: <publicUrl>/models/<sha256>, sha256, token }`,
 *     with a capability token for that artifact alone (registry/artifact-token.ts). The actor
 *     downloads it into its own machine's model cache on first use and loads it only if the
 *     bytes hash to that sha256 (a worker takes it only from the api its operator named);
 *   - a registered model with no public URL configured: the single-machine path, `path` of
 *     `<cacheDir>/<sha256>.onnx` in the model cache directory registration writes into
 *     (registry/register-model.ts), checked against that sha256. A worker loads it only when
 *     that is its own model cache file for the sha256 (a worker started with the same
 *     --model-cache-dir), and refuses any other path.
 * Either way the manifest is passed along (the actor does not know registered models). The
 * initArgs are the model actor's contract, ModelActorInit (@neurogrid/schema).
 */
export const MODEL_NAMESPACE = "neurogrid-models";

export interface ModelActorSource {
  /** The api machine's model cache directory (builtin models, and the single-machine path). */
  cacheDir?: string | undefined;
  /** The api's public base URL; when set, registered models are downloaded from it. */
  publicUrl?: string | undefined;
  /** Signs the artifact tokens; needed with publicUrl. */
  artifactTokenSecret?: string | undefined;
  artifactTokenTtlMs?: number;
  now?: () => Date;
}

/** The model source of an api configuration: its cache directory, public URL and secret. */
export function modelActorSourceOf(
  config: Pick<ApiConfig, "modelCacheDir" | "publicUrl" | "jwtSecret">,
): ModelActorSource {
  return {
    cacheDir: config.modelCacheDir,
    publicUrl: config.publicUrl,
    artifactTokenSecret: artifactTokenSecret(config),
  };
}

/** The actor spec for a model; `source` is a ModelActorSource, or just a cache directory. */
export function modelActorSpec(manifest: ModelManifest, source: string | ModelActorSource = {}): ActorSpec {
  const opts: ModelActorSource = typeof source === "string" ? { cacheDir: source } : source;
  const initArgs: ModelActorInit = {
    name: manifest.name,
    version: manifest.version,
    ...modelSourceArgs(manifest, opts),
    ...(manifest.executionProviders ? { executionProviders: manifest.executionProviders } : {}),
  };
  return {
    name: `model:${manifest.name}@${manifest.version}`,
    namespace: MODEL_NAMESPACE,
    className: "model",
    initArgs,
    lifetime: "detached",
    // Replicas over as many nodes as can host them (Ray Serve's default for its replicas): a
    // node's loss takes one replica, not all, and a spot check finds another provider's replica
    // to re-run a task on (packed on one node, no task of a two-replica model was ever drawn).
    schedulingStrategy: { kind: "SPREAD" },
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

/** Where the actor gets the model's bytes (and the manifest of a registered model). */
type ModelSourceArgs = Pick<ModelActorInit, "path" | "sha256" | "artifact" | "manifest">;

function modelSourceArgs(manifest: ModelManifest, opts: ModelActorSource): ModelSourceArgs {
  const sha256 = registeredSha256Of(manifest);
  if (!sha256) return {};
  if (opts.publicUrl !== undefined && opts.artifactTokenSecret !== undefined) {
    const now = opts.now?.() ?? new Date();
    const ttlMs = opts.artifactTokenTtlMs ?? DEFAULT_ARTIFACT_TOKEN_TTL_MS;
    return {
      manifest: plainManifest(manifest),
      artifact: {
        url: `${opts.publicUrl.replace(/\/+$/, "")}/models/${sha256}`,
        sha256,
        token: issueArtifactToken(opts.artifactTokenSecret, sha256, ttlMs, now),
      },
    };
  }
  const dir = modelCacheDirOf(opts.cacheDir);
  return { path: artifactPath(dir, sha256), sha256, manifest: plainManifest(manifest) };
}
