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

export * from "./wire-actor.js";
export * from "./wire-head.js";
export * from "./wire-worker.js";
