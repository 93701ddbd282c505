import type { ActorInfo, ActorSpec } from "./actor.js";

/**
 * A deployment (after Ray Serve): a named set of replica actors made from one template, scaled
 * between minReplicas and maxReplicas on the ongoing requests its callers report.
 *
 * Autoscaling: wanted = ceil(ongoing / targetOngoingRequests), clamped to [min, max] (at least
 * one while any request is ongoing). More replicas are added once that has been wanted for
 * upscaleDelayMs; fewer, once for downscaleDelayMs: an idle deployment goes down to its minimum
 * after downscaleDelayMs.
 */
export interface DeploymentSpec {
  name: string;
  namespace: string;
  /** The replicas' template; its name is ignored (replica k is "<name>#<k>"), it is detached. */
  replica: ActorSpec;
  minReplicas: number;
  maxReplicas: number;
  /** Ongoing requests per replica the autoscaler aims at (Ray Serve's target_ongoing_requests). */
  targetOngoingRequests: number;
  upscaleDelayMs: number;
  downscaleDelayMs: number;
  /** Replicas at creation (minReplicas when absent or 0). */
  initialReplicas?: number;
  /** How long a removed replica may finish the calls it accepted. */
  drainGraceMs?: number;
}

export interface DeploymentInfo {
  spec: DeploymentSpec;
  /** Replicas that take calls (drained ones left out), in creation order. */
  replicas: ActorInfo[];
  /** The replica count the autoscaler aims at now. */
  targetReplicas: number;
  /** Ongoing requests over the callers' latest reports. */
  ongoingRequests: number;
}

/** Ray Serve's defaults, with a shorter downscale delay (idle replicas of GPUs cost money). */
export const DEPLOYMENT_DEFAULTS = {
  minReplicas: 1,
  maxReplicas: 1,
  targetOngoingRequests: 2,
  upscaleDelayMs: 3_000,
  downscaleDelayMs: 60_000,
  drainGraceMs: 30_000,
} as const;
