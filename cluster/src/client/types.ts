/** The driver API's types (see cluster-client.ts). */
import type { ActorInfo, NodeResources, NodeState } from "@neurogrid/schema";

export interface ClusterClientOptions {
  /** host:port of the head. */
  headAddress: string;
  /** Default deadline for actor calls; none when absent. */
  callTimeoutMs?: number;
}

export interface CallOptions {
  /** Deadline for this call (overrides the client's callTimeoutMs). */
  timeoutMs?: number;
  /** Aborting cancels the call (the actor sees its own signal abort); it rejects with CANCELLED. */
  signal?: AbortSignal;
}

export interface GetOrCreateOptions {
  /** How long to wait for the actor to be placed and started; 120 s by default. */
  timeoutMs?: number;
}

/** A node as the head sees it. */
export interface NodeInfo {
  nodeId: string;
  /** host:port of the node's Worker service. */
  address: string;
  state: NodeState;
  total: NodeResources;
  /** What is not reserved by actors; `gpus` lists the free GPUs. */
  available: NodeResources;
  labels: Record<string, string>;
  /** Head clock, ms since the epoch. */
  lastHeartbeatMs: number;
}

/** A named actor; calls go straight to its own process. */
export interface ActorHandle {
  /** Where the actor lives, as the head said when the handle was made. */
  readonly info: ActorInfo;
  call<T = unknown>(method: string, args: unknown, opts?: CallOptions): Promise<T>;
}
