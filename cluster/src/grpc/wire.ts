/**
 * The cluster contract's messages as @grpc/proto-loader decodes them (keepCase: false, longs:
 * Number, enums: String, defaults: true): camelCase fields, uint64 as number, enums as their
 * names, bytes as Buffer, and an absent sub-message as null. These types live only at the gRPC
 * edge; convert.ts turns them into the shared @neurogrid/schema types.
 */

export * from "./wire-common.js";

/** Fields of common.proto's Resources for the control plane (present on every decoded message). */
export interface ResourcesPlacement {
  numGpus: number;
  vramMb: number;
}

type SchedulingStrategyKind =
  | "STRATEGY_DEFAULT"
  | "STRATEGY_SPREAD"
  | "STRATEGY_NODE_AFFINITY"
  | "STRATEGY_PLACEMENT_GROUP";

export interface SchedulingStrategy {
  kind: SchedulingStrategyKind;
  nodeId: string;
  soft: boolean;
  placementGroupId: string;
  bundleIndex: number;
}

export type ActorLifetime = "LIFETIME_DEFAULT" | "LIFETIME_DETACHED" | "LIFETIME_OWNED";

/** Fields of common.proto's ActorSpec for the control plane. */
export interface ActorSpecPlacement {
  schedulingStrategy: SchedulingStrategy | null;
  labelSelector: Record<string, string>;
  lifetime: ActorLifetime;
  owner: string;
  maxRestarts: number;
}

/** Fields of common.proto's ActorInfo for the control plane. */
export interface ActorInfoLifecycle {
  pendingReason: string;
  numRestarts: number;
  maxTaskRetries: number;
  epoch: number;
}

export * from "./wire-actor.js";
export * from "./wire-deployment.js";
export * from "./wire-head.js";
export * from "./wire-worker.js";
