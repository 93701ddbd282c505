/** Head service messages (head.proto), as proto-loader decodes them; see wire.ts. */
import type { ActorInfo, ActorSpec, Resources } from "./wire.js";

export interface RegisterNodeRequest {
  nodeId: string;
  address: string;
  resources: Resources | null;
  labels: Record<string, string>;
  nodeToken: string;
}

export interface RegisterNodeReply {
  nodeId: string;
  heartbeatIntervalMs: number;
}

export interface HeartbeatRequest {
  nodeId: string;
  sentAtMs: number;
  actorCount: number;
}

export interface HeartbeatReply {
  receivedAtMs: number;
  reregister: boolean;
}

export interface GetOrCreateActorRequest {
  spec: ActorSpec | null;
}

export interface GetActorRequest {
  name: string;
  namespace: string;
}

export type ListNodesRequest = Record<string, never>;

export interface NodeInfo {
  nodeId: string;
  address: string;
  state: string;
  total: Resources | null;
  available: Resources | null;
  labels: Record<string, string>;
  lastHeartbeatMs: number;
}

export interface ListNodesReply {
  nodes: NodeInfo[];
}
