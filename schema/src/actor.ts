import type { ActorId, NodeId } from "./ids.js";
import type { LabelSelector, ResourceRequest, SchedulingStrategy } from "./resources.js";

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
  /** Where the actor may be placed; DEFAULT (hybrid pack-then-spread) when absent. */
  schedulingStrategy?: SchedulingStrategy;
  /** Only nodes whose labels match. */
  labelSelector?: LabelSelector;
  /**
   * "detached": lives until killed. "owned" (the default when `owner` is set): dies with its
   * owner, e.g. when the driver session that created it ends.
   */
  lifetime?: ActorLifetime;
  /** The owner of an owned actor (a driver session id, see ClusterClient.sessionId). */
  owner?: string;
  /** How many times the head restarts the actor after its node died (0 = never; -1 = forever). */
  maxRestarts?: number;
  /** Concurrent calls the actor's process runs at once (0 or absent = the class's default). */
  maxConcurrency?: number;
  /** How many times a caller retries a call whose actor died (0 = none; -1 = forever). */
  maxTaskRetries?: number;
}

export type ActorLifetime = "detached" | "owned";

/** Where an actor lives, as the head tells a driver. */
export interface ActorInfo {
  actorId: ActorId;
  name: string;
  namespace: string;
  className: string;
  state: ActorState;
  nodeId: NodeId;
  /** host:port of the actor process's own gRPC server. */
  address: string;
  gpuIds: number[];
  pid: number;
  deathCause: string;
  /** Why a PENDING_CREATION actor is not placed yet (e.g. no node fits); "" otherwise. */
  pendingReason?: string;
  /** How many times the head restarted it. */
  numRestarts?: number;
  /** The spec's maxTaskRetries (0 = none; -1 = forever): handles on the actor retry this often. */
  maxTaskRetries?: number;
  /**
   * The incarnation's fencing epoch, issued by the head: every start of the actor's process
   * (creation, each restart, also by a head restarted from its stored tables) takes the next
   * number, so a later incarnation always has a larger one; 0 before the first start. Calls
   * carry the epoch their caller believes, results the epoch of the incarnation that computed
   * them, and each side refuses the other's when they differ.
   */
  epoch?: number;
}
