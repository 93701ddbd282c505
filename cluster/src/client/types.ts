/** The driver API's types (see cluster-client.ts). */
import type { ActorInfo, NodeResources, NodeState, NodeTelemetry } from "@neurogrid/schema";
import type { TlsMaterial } from "../grpc/tls.js";

export interface ClusterClientOptions {
  /** host:port of the head. */
  headAddress: string;
  /** Default deadline for actor calls; none when absent. */
  callTimeoutMs?: number;
  /**
   * Calls open at once on the call channel to one actor process (backpressure); more wait for
   * a slot. 256 by default.
   */
  maxInFlightPerActor?: number;
  /** Items of one streaming call the actor may send ahead of the consumer; 64 by default. */
  streamWindow?: number;
  /**
   * Mutual TLS with the head and the actor processes: the cluster CA's certificate and this
   * driver's certificate and key (PEM text; `loadTls` reads them from files). Plain text when
   * absent.
   */
  tls?: TlsMaterial;
  /**
   * On a loopback cluster without TLS that checks credentials (`neurogrid up`): this driver's
   * credential token, minted with the cluster secret (`driverCredential`). Ignored by a server
   * that identifies callers by certificate.
   */
  credential?: string;
}

export interface CallOptions {
  /** Deadline for this call (overrides the client's callTimeoutMs). */
  timeoutMs?: number;
  /**
   * Aborting cancels the call, whether it waits for a slot, waits in the actor's queue or runs
   * (the actor code sees its own signal abort); it rejects with CANCELLED.
   */
  signal?: AbortSignal;
  /**
   * A request or task id carried with the call to the actor's process, which logs the call
   * with it (and a retry of the call carries it too).
   */
  traceId?: string;
}

export interface GetOrCreateOptions {
  /** How long to wait for the actor to be placed and started; 120 s by default. */
  timeoutMs?: number;
}

export interface GetActorOptions {
  /**
   * Retries of a call whose actor died (as ActorSpec.maxTaskRetries); by default the actor's
   * own (ActorInfo.maxTaskRetries).
   */
  maxTaskRetries?: number;
}

export interface KillActorOptions {
  /**
   * Shut the actor down gracefully: it refuses new calls and finishes the accepted ones, then
   * exits. By default its process is killed at once (running calls end UNAVAILABLE).
   */
  graceful?: boolean;
  /** How long a graceful shutdown lets accepted calls run; the worker's default when absent. */
  graceMs?: number;
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
  /** The latest GPU telemetry its heartbeats carried (absent before the first). */
  telemetry?: NodeTelemetry;
  /** GPUs that take no new actors now (index -> why, e.g. too hot). */
  unschedulableGpus: Record<number, string>;
  /** Set while the node is quarantined (setNodeQuarantine): it takes no new actors. */
  quarantine?: NodeQuarantineInfo;
}

/** A node's quarantine: why, and since when (head clock, ms since the epoch). */
export interface NodeQuarantineInfo {
  reason: string;
  sinceMs: number;
}

/**
 * A named actor; calls go straight to its own process, many at once over one long-lived
 * channel. A call whose actor died is retried while the spec's maxTaskRetries allow.
 */
export interface ActorHandle {
  /** Where the actor lives, as last heard from the head (it follows the actor's restarts). */
  readonly info: ActorInfo;
  /** A unary call: one result. A method that streams is INVALID_ARGUMENT here (use stream). */
  call<T = unknown>(method: string, args: unknown, opts?: CallOptions): Promise<T>;
  /**
   * A server-streaming call: the method's items as they come (a unary method yields its result
   * as one item). The call starts when iteration starts; leaving the loop early cancels it.
   * The deadline, if any, covers the whole stream.
   */
  stream<T = unknown>(method: string, args: unknown, opts?: CallOptions): AsyncIterable<T>;
}
