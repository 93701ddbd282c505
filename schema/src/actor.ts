import type { ResourceRequest } from "./resources.js";

/** Actor lifecycle, after Ray: PENDING_CREATION -> ALIVE <-> RESTARTING -> DEAD. */
export const ActorState = {
  PENDING_CREATION: "PENDING_CREATION",
  ALIVE: "ALIVE",
  RESTARTING: "RESTARTING",
  DEAD: "DEAD",
} as const;
export type ActorState = (typeof ActorState)[keyof typeof ActorState];

export const NodeState = { ALIVE: "ALIVE", DEAD: "DEAD" } as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

/** What a driver asks the head for: a named actor of a class, with its constructor args. */
export interface ActorSpec {
  name: string;
  namespace: string;
  className: string;
  initArgs: unknown;
  resources: ResourceRequest;
}

/** Where an actor lives, as the head tells a driver. */
export interface ActorInfo {
  actorId: string;
  name: string;
  namespace: string;
  className: string;
  state: ActorState;
  nodeId: string;
  /** host:port of the actor process's own gRPC server. */
  address: string;
  gpuIds: number[];
  pid: number;
  deathCause: string;
}
