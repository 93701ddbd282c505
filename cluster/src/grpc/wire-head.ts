/** Head service messages (head.proto), as proto-loader decodes them; see wire.ts. */
import type { ActorInfo, ActorSpec, ActorState, NodeTelemetry, Resources } from "./wire-common.js";

export interface RegisterNodeRequest {
  nodeId: string;
  address: string;
  resources: Resources | null;
  labels: Record<string, string>;
  nodeToken: string;
  actorIds: string[];
  checkOnly?: boolean;
}

export interface RegisterNodeReply {
  nodeId: string;
  heartbeatIntervalMs: number;
  session: string;
  heartbeatTimeoutMs: number;
}

export interface HeartbeatRequest {
  nodeId: string;
  sentAtMs: number;
  actorCount: number;
  session: string;
  telemetry?: NodeTelemetry | null;
}

export interface HeartbeatReply {
  receivedAtMs: number;
  reregister: boolean;
}

export interface ReportActorExitRequest {
  nodeId: string;
  session: string;
  actorId: string;
  pid: number;
  cause: string;
}

export type ReportActorExitReply = Record<string, never>;

export interface GetOrCreateActorRequest {
  spec: ActorSpec | null;
}

export interface GetActorRequest {
  name: string;
  namespace: string;
}

export type ListNodesRequest = Record<string, never>;

export interface RevokeNodeRequest {
  nodeId: string;
}

export interface RevokeNodeReply {
  wasAlive: boolean;
}

export interface SetNodeQuarantineRequest {
  nodeId: string;
  reason: string;
}

export interface SetNodeQuarantineReply {
  quarantined: boolean;
  sinceMs: number;
  reason: string;
}

export interface NodeInfo {
  nodeId: string;
  address: string;
  state: string;
  total: Resources | null;
  available: Resources | null;
  labels: Record<string, string>;
  lastHeartbeatMs: number;
  telemetry?: NodeTelemetry | null;
  unschedulableGpus?: Record<string, string>;
  quarantineReason?: string;
  quarantinedAtMs?: number;
}

export interface ListNodesReply {
  nodes: NodeInfo[];
}

export interface ListActorsRequest {
  namespace: string;
}

export interface ListActorsReply {
  actors: ActorInfo[];
}

export interface KillNamedActorRequest {
  name: string;
  namespace: string;
  graceful: boolean;
  graceMs: number;
}

export interface KillNamedActorReply {
  actor: ActorInfo | null;
}

export interface WatchActorsRequest {
  namespace: string;
}

export interface ActorEvent {
  actor: ActorInfo | null;
  fromState: ActorState;
  cause: string;
  atMs: number;
}

export interface WatchClusterRequest {
  telemetry: boolean;
}

interface NodeEvent {
  type: string;
  node: NodeInfo | null;
  cause: string;
  atMs: number;
}

interface NodeTelemetryEvent {
  nodeId: string;
  telemetry: NodeTelemetry | null;
  unschedulableGpus: Record<string, string>;
  atMs: number;
}

/** A oneof: `event` names the field that is set. */
export interface ClusterEvent {
  event?: "node" | "actor" | "telemetry";
  node?: NodeEvent | null;
  actor?: ActorEvent | null;
  telemetry?: NodeTelemetryEvent | null;
}

export interface DriverSessionRequest {
  sessionId: string;
}

export interface DriverSessionEvent {
  opened: boolean;
}

export type PlacementStrategy =
  | "PLACEMENT_PACK"
  | "PLACEMENT_SPREAD"
  | "PLACEMENT_STRICT_PACK"
  | "PLACEMENT_STRICT_SPREAD";

export interface CreatePlacementGroupRequest {
  name: string;
  namespace: string;
  bundles: Resources[];
  strategy: PlacementStrategy;
  labelSelector: Record<string, string>;
  wait: boolean;
}

interface BundleInfo {
  index: number;
  nodeId: string;
  resources: Resources | null;
  gpuIds: number[];
}

export interface PlacementGroupInfo {
  placementGroupId: string;
  name: string;
  namespace: string;
  strategy: PlacementStrategy;
  state: string;
  bundles: BundleInfo[];
  pendingReason: string;
}

export interface PlacementGroupRequest {
  placementGroupId: string;
}

export type ListPlacementGroupsRequest = Record<string, never>;

export interface ListPlacementGroupsReply {
  placementGroups: PlacementGroupInfo[];
}
