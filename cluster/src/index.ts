/**
 * @neurogrid/cluster, public entry: the driver API. Head and worker internals are not exported;
 * starting them is "@neurogrid/cluster/cli".
 */
export type {
  ActorInfo,
  ActorLifetime,
  ActorSpec,
  ActorState,
  BundleInfo,
  DeploymentInfo,
  DeploymentSpec,
  GpuInfo,
  LabelSelector,
  NodeResources,
  NodeState,
  PlacementGroupInfo,
  PlacementGroupSpec,
  PlacementGroupState,
  PlacementStrategy,
  ResourceRequest,
  SchedulingStrategy,
} from "@neurogrid/schema";
export { mintCredential } from "./auth/credential-token.js";
export type { Identity, Role } from "./auth/identity.js";
export { ClusterClient, type DeploymentHandleOptions } from "./client/cluster-client.js";
export type {
  ActorClusterEvent,
  ClusterEvent,
  ClusterEventWithTelemetry,
  NodeEvent,
  NodeEventType,
  NodeTelemetryEvent,
  WatchClusterOptions,
} from "./client/cluster-events.js";
export {
  type DeploymentCallOptions,
  DeploymentHandle,
  type ReplicaLease,
} from "./client/deployment-handle.js";
export type { ActorEvent, WatchActorsOptions } from "./client/head-streams.js";
export type {
  ActorHandle,
  CallOptions,
  ClusterClientOptions,
  GetActorOptions,
  GetOrCreateOptions,
  KillActorOptions,
  NodeInfo,
  NodeQuarantineInfo,
} from "./client/types.js";
export { ClusterError, type ClusterErrorCode, isClusterError } from "./errors.js";
export { isLoopbackAddress, loadTls, type TlsFiles, type TlsMaterial } from "./grpc/tls.js";
