/**
 * Each model version is served by one deployment (cluster deployments, after Ray Serve): its
 * replicas are model actors made from the model's replica spec (model-actor-spec.ts), scaled
 * between the manifest's `deployment` bounds on the ongoing requests every api process reports.
 * Calls go through a DeploymentHandle, which picks the less loaded of two random replicas.
 *
 * Defaults where the manifest is silent: one replica, at most one (DEPLOYMENT_DEFAULTS); a
 * batching model aims at maxBatchSize ongoing requests per replica (so its batches can fill),
 * any other at Ray Serve's 2.
 *
 * Handles are got (or applied) once per model version and kept for the life of the process, so
 * the head hears each api's load continuously; a handle that failed is made again on the next
 * task. An existing deployment is taken as it is (an operator may have scaled it).
 */
import { type ClusterClient, type DeploymentHandle, isClusterError } from "@neurogrid/cluster";
import {
  type ActorSpec,
  DEPLOYMENT_DEFAULTS,
  type DeploymentSpec,
  type ModelManifest,
} from "@neurogrid/schema";

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

export class ModelDeployments {
  readonly #handles = new Map<string, Promise<DeploymentHandle>>();

  constructor(
    private readonly cluster: Pick<ClusterClient, "applyDeployment" | "deployment">,
    private readonly replicaSpec: (manifest: ModelManifest) => ActorSpec,
  ) {}

  /** The handle on this model version's deployment (applied once per process). */
  handle(manifest: ModelManifest): Promise<DeploymentHandle> {
    const replica = this.replicaSpec(manifest);
    let handle = this.#handles.get(replica.name);
    if (!handle) {
      handle = this.#getOrApply(manifest, replica);
      handle.catch(() => this.#handles.delete(replica.name));
      this.#handles.set(replica.name, handle);
    }
    return handle;
  }

  /**
   * The deployment as it is (an operator may have scaled it: `neurogrid model deploy`), else
   * created from the manifest.
   */
  async #getOrApply(manifest: ModelManifest, replica: ActorSpec): Promise<DeploymentHandle> {
    try {
      return await this.cluster.deployment(replica.namespace, replica.name);
    } catch (err) {
      if (!isClusterError(err) || err.code !== "NOT_FOUND") throw err;
      return this.cluster.applyDeployment(modelDeploymentSpec(manifest, replica));
    }
  }

  /** Stops every handle's load reports. */
  async close(): Promise<void> {
    const handles = await Promise.allSettled(this.#handles.values());
    for (const h of handles) if (h.status === "fulfilled") h.value.close();
    this.#handles.clear();
  }
}
