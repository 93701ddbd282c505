/**
 * @neurogrid/cluster, public entry: the driver API. Head and worker internals are not exported;
 * starting them is "@neurogrid/cluster/cli".
 */
export type {
  ActorInfo,
  ActorSpec,
  ActorState,
  GpuInfo,
  NodeResources,
  NodeState,
  ResourceRequest,
} from "@neurogrid/schema";
export { ClusterClient } from "./client/cluster-client.js";
export type {
  ActorHandle,
  CallOptions,
  ClusterClientOptions,
  GetOrCreateOptions,
  NodeInfo,
} from "./client/types.js";
export { ClusterError, type ClusterErrorCode, isClusterError } from "./errors.js";
