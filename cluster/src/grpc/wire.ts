/**
 * The cluster contract's messages as @grpc/proto-loader decodes them (keepCase: false, longs:
 * Number, enums: String, defaults: true): camelCase fields, uint64 as number, enums as their
 * names, bytes as Buffer, and an absent sub-message as null. These types live only at the gRPC
 * edge; convert.ts turns them into the shared @neurogrid/schema types.
 */

export interface Gpu {
  index: number;
  uuid: string;
  name: string;
  memoryMb: number;
}

export interface Resources {
  cpus: number;
  memoryMb: number;
  gpus: Gpu[];
  gpusRequested: number;
  custom: Record<string, number>;
}

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

export interface ActorSpec {
  name: string;
  namespace: string;
  className: string;
  initArgs: Buffer;
  resources: Resources | null;
}

export type ActorState = "ACTOR_STATE_UNSPECIFIED" | "PENDING_CREATION" | "ALIVE" | "RESTARTING" | "DEAD";

export interface ActorInfo {
  actorId: string;
  name: string;
  namespace: string;
  className: string;
  state: ActorState;
  nodeId: string;
  address: string;
  gpuIds: number[];
  pid: number;
  deathCause: string;
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

export interface StartActorRequest {
  actorId: string;
  spec: ActorSpec | null;
  gpuIds: number[];
}

export interface StartActorReply {
  address: string;
  pid: number;
}

export interface KillActorRequest {
  actorId: string;
}

export type KillActorReply = Record<string, never>;

export interface ActorCallRequest {
  method: string;
  args: Buffer;
}

export interface ActorCallReply {
  result: Buffer;
}
