/**
 * Each model version is served by one deployment (cluster deployments, after Ray Serve): its
 * replicas are model actors made from the model's replica spec (model-actor-spec.ts), scaled
 * between the manifest's `deployment` bounds on the ongoing requests every api process reports.
 * Calls go through a DeploymentHandle, which picks the less loaded of two random replicas.
 *
 * Multiplexing: a model whose manifest names a `deployment.multiplex` group is served by the
 * group's shared deployment "mux:<group>" instead: its replicas are "model-mux" actors, each
 * keeping up to maxModels (default 4) of the group's models loaded, least recently used evicted
 * (runtime/model-mux.ts). A call then carries its model's reference (the same source and
 * integrity checks as a dedicated replica: builtin, path + sha256, or artifact). The group's
 * replicas take the resources and bounds of the manifest that first created the deployment.
 * Streaming models (priced per output token) are never multiplexed: they keep their own
 * deployment.
 *
 * Composition: a model with a `pipeline` (the "ocr" task model) is served by a deployment of
 * its pipeline actor class, whose initArgs name each stage's deployment; each stage is a builtin
 * model served by its own deployment as above (applied first), so each scales on its own load and
 * a stage's replicas (OCR recognition) batch the calls of every pipeline replica.
 *
 * Defaults where the manifest is silent: one replica, at most one (DEPLOYMENT_DEFAULTS); a
 * batching model aims at maxBatchSize ongoing requests per replica (so its batches can fill),
 * any other at Ray Serve's 2.
 *
 * Handles are got (or applied) once per deployment and kept for the life of the process, so
 * the head hears each api's load continuously; a handle that failed is made again on the next
 * task. An existing deployment is taken as it is (an operator may have scaled it).
 */
import {
  type ClusterClient,
  type DeploymentCallOptions,
  type DeploymentHandle,
  isClusterError,
} from "@neurogrid/cluster";
import { findBuiltinModel } from "@neurogrid/cluster/models";
import {
  type ActorSpec,
  DEPLOYMENT_DEFAULTS,
  type DeploymentSpec,
  type ModelManifest,
} from "@neurogrid/schema";
import { isGenerative } from "./task-input.js";

/**
 * What callers use of a model's deployment: lease a replica (any, or one the caller accepts:
 * result verification's run on another provider's node), call it, stream from it.
 */
export type ModelDeployment = Pick<DeploymentHandle, "lease" | "leaseWhere" | "call" | "stream">;

const DEFAULT_MUX_MODELS = 4;

export function modelDeploymentSpec(manifest: ModelManifest, replica: ActorSpec): DeploymentSpec {
  const d = manifest.deployment ?? {};
  const minReplicas = d.minReplicas ?? DEPLOYMENT_DEFAULTS.minReplicas;
  const maxReplicas = Math.max(minReplicas, d.maxReplicas ?? DEPLOYMENT_DEFAULTS.maxReplicas, 1);
  return {
    name: replica.name,
    namespace: replica.namespace,
    replica,
    minReplicas,
    maxReplicas,
    targetOngoingRequests:
      d.targetOngoingRequests ?? manifest.batching?.maxBatchSize ?? DEPLOYMENT_DEFAULTS.targetOngoingRequests,
    upscaleDelayMs: d.upscaleDelayMs ?? DEPLOYMENT_DEFAULTS.upscaleDelayMs,
    downscaleDelayMs: d.downscaleDelayMs ?? DEPLOYMENT_DEFAULTS.downscaleDelayMs,
  };
}

/** The multiplex group that serves a model, if any (streaming models never are). */
function muxGroupOf(manifest: ModelManifest) {
  const group = manifest.deployment?.multiplex;
  return group && !isGenerative(manifest) ? group : undefined;
}

/**
 * The name of the deployment whose replicas serve a model version: its own (the replica spec's
 * name, model-actor-spec.ts) or its multiplex group's. Replica actors are named `<name>#<n>`.
 */
export function servingDeploymentName(manifest: ModelManifest): string {
  const group = muxGroupOf(manifest);
  return group ? `mux:${group.group}` : `model:${manifest.name}@${manifest.version}`;
}

/** The shared deployment of a multiplex group, made from one of its models' replica spec. */
function muxDeploymentSpec(
  manifest: ModelManifest,
  replica: ActorSpec,
  group: { group: string; maxModels?: number | undefined },
): DeploymentSpec {
  const muxReplica: ActorSpec = {
    ...replica,
    name: `mux:${group.group}`,
    className: "model-mux",
    initArgs: { maxModels: group.maxModels ?? DEFAULT_MUX_MODELS },
  };
  return modelDeploymentSpec(manifest, muxReplica);
}

export class ModelDeployments {
  readonly #handles = new Map<string, Promise<DeploymentHandle>>();
  readonly #models = new Map<string, Promise<ModelDeployment>>();
  readonly #cluster: Pick<ClusterClient, "applyDeployment" | "deployment">;
  readonly #replicaSpec: (manifest: ModelManifest) => ActorSpec;

  constructor(
    cluster: Pick<ClusterClient, "applyDeployment" | "deployment">,
    replicaSpec: (manifest: ModelManifest) => ActorSpec,
  ) {
    this.#cluster = cluster;
    this.#replicaSpec = replicaSpec;
  }

  /** This model version's deployment (applied once per process), or its multiplex group's view. */
  handle(manifest: ModelManifest): Promise<ModelDeployment> {
    // Per model version once: its replica spec (an artifact token is signed for it) and view.
    const key = `${manifest.name}@${manifest.version}`;
    let model = this.#models.get(key);
    if (!model) {
      model = this.#resolve(manifest);
      model.catch(() => this.#models.delete(key));
      this.#models.set(key, model);
    }
    return model;
  }

  async #resolve(manifest: ModelManifest): Promise<ModelDeployment> {
    const replica = this.#replicaSpec(manifest);
    if (manifest.pipeline)
      return this.#handle(await this.#pipelineSpec(manifest, replica, manifest.pipeline));
    const group = muxGroupOf(manifest);
    if (group) {
      const spec = muxDeploymentSpec(manifest, replica, group);
      return new MultiplexedModel(await this.#handle(spec), modelRefOf(replica));
    }
    return this.#handle(modelDeploymentSpec(manifest, replica));
  }

  /** The pipeline's deployment, each stage's deployment got (or applied) first. */
  async #pipelineSpec(
    manifest: ModelManifest,
    replica: ActorSpec,
    pipeline: NonNullable<ModelManifest["pipeline"]>,
  ): Promise<DeploymentSpec> {
    const stages: Record<string, { namespace: string; name: string }> = {};
    for (const [stage, ref] of Object.entries(pipeline.stages)) {
      const [name = "", version = ""] = ref.split("@");
      const stageManifest = findBuiltinModel(name, version)?.manifest;
      if (!stageManifest)
        throw new Error(`pipeline ${manifest.name}: stage ${stage} is no builtin model (${ref})`);
      await this.handle(stageManifest);
      const { namespace, name: deployment } = this.#replicaSpec(stageManifest);
      stages[stage] = { namespace, name: deployment };
    }
    return modelDeploymentSpec(manifest, { ...replica, className: pipeline.className, initArgs: stages });
  }

  #handle(spec: DeploymentSpec): Promise<DeploymentHandle> {
    let handle = this.#handles.get(spec.name);
    if (!handle) {
      handle = this.#getOrApply(spec);
      handle.catch(() => this.#handles.delete(spec.name));
      this.#handles.set(spec.name, handle);
    }
    return handle;
  }

  /**
   * The deployment as it is (an operator may have scaled it: `neurogrid model deploy`), else
   * created from the spec.
   */
  async #getOrApply(spec: DeploymentSpec): Promise<DeploymentHandle> {
    try {
      return await this.#cluster.deployment(spec.namespace, spec.name);
    } catch (err) {
      if (!isClusterError(err) || err.code !== "NOT_FOUND") throw err;
      return this.#cluster.applyDeployment(spec);
    }
  }

  /** Stops every handle's load reports. */
  async close(): Promise<void> {
    const handles = await Promise.allSettled(this.#handles.values());
    for (const h of handles) if (h.status === "fulfilled") h.value.close();
    this.#handles.clear();
    this.#models.clear();
  }
}

/** A model's reference for a mux replica: the source fields of its own replica's initArgs. */
function modelRefOf(replica: ActorSpec): Record<string, unknown> {
  const { cacheDir: _cacheDir, ...ref } = replica.initArgs as Record<string, unknown>;
  return ref;
}

/** One model of a multiplex group: its `infer` calls carry the model's reference. */
class MultiplexedModel implements ModelDeployment {
  readonly #group: DeploymentHandle;
  readonly #model: Record<string, unknown>;

  constructor(group: DeploymentHandle, model: Record<string, unknown>) {
    this.#group = group;
    this.#model = model;
  }

  lease(opts?: DeploymentCallOptions) {
    return this.#group.lease(opts);
  }

  leaseWhere(...args: Parameters<DeploymentHandle["leaseWhere"]>) {
    return this.#group.leaseWhere(...args);
  }

  call<T = unknown>(method: string, args: unknown, opts?: DeploymentCallOptions): Promise<T> {
    const inputs = (args as { inputs?: unknown } | undefined)?.inputs;
    return this.#group.call<T>(method, method === "infer" ? { model: this.#model, inputs } : args, opts);
  }

  stream<T = unknown>(): AsyncGenerator<T> {
    throw new Error("a multiplexed model does not stream (streaming models keep their own deployment)");
  }
}
