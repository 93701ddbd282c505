/**
 * What runs inside an actor process. The actor host (one child process per actor, started by
 * the worker) looks the class up by name in the registry (actor-classes.ts), constructs it once
 * with the spec's initArgs, and routes every call to `call`.
 *
 * Unary and streaming methods: `call` resolves with a method's result (JSON-encodable), or with
 * an AsyncIterable of items to stream them one by one (a method written as an async generator:
 * `case "tokens": return this.tokens(args, signal)`). The host pulls the next item only when
 * the caller has room for it, and stops the iteration (its `return()`) when the call is
 * cancelled.
 *
 * Cancellation: `signal` aborts when the caller cancels the call, its deadline passes, its
 * connection drops, or the actor is stopped past its grace period. Calls wait in the host's
 * queue beyond the actor's concurrency limit (the spec's maxConcurrency, else the instance's
 * own `maxConcurrency`, else DEFAULT_MAX_CONCURRENCY) and never start if cancelled there.
 *
 * Errors: throw ClusterError("INVALID_ARGUMENT" | "UNIMPLEMENTED" | "INTERNAL", ...) from
 * `call` or from the iteration; the host sends the code to the caller. Anything that is not a
 * ClusterError reaches the caller as INTERNAL with its message.
 *
 * Metrics: the host times every call (per method and outcome) for the worker's /metrics, and
 * calls `info()` once, right after construction: its labels (e.g. { model, execution_provider })
 * appear on the worker's neurogrid_actor_info gauge while the actor lives. Keep them few and
 * stable (they are Prometheus labels); an info() that throws is logged and reports nothing.
 */
import type { ClusterClient } from "../client/cluster-client.js";
import type { ModelSourcePolicy } from "../models/source-policy.js";
import type { FaultInjection } from "./fault-injection.js";

export interface ActorContext {
  actorId: string;
  /** GPU indices the head assigned (the host sets CUDA_VISIBLE_DEVICES to these). */
  gpuIds: number[];
  /** CUDA_VISIBLE_DEVICES as the process sees it ("" when no GPU was assigned). */
  cudaVisibleDevices: string;
  /**
   * Where model bytes may come from on this node (the worker's model cache and artifact origin,
   * models/source-policy.ts); absent outside a worker (in-process tests).
   */
  modelSources?: ModelSourcePolicy;
  /** Tests only: model answers this actor perturbs (fault-injection.ts); absent: none. */
  faultInjection?: FaultInjection;
  /**
   * A driver client on the actor's cluster (made on first use, with the worker's TLS material),
   * for actors that call other actors or deployments (composition); closed with the actor.
   * Absent when the actor runs outside a worker (in-process tests).
   */
  cluster?: () => ClusterClient;
}

export interface ActorInstance {
  call(method: string, args: unknown, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
  /** Concurrent calls the class runs well when the spec does not say (0). */
  readonly maxConcurrency?: number;
  /** What the actor is, as metric labels (label name -> value); asked once, after construction. */
  info?(): Record<string, string>;
}

export type ActorClass = (initArgs: unknown, ctx: ActorContext) => Promise<ActorInstance>;

/** Ray's default for async actors: plenty of concurrent calls, each awaiting its own I/O. */
export const DEFAULT_MAX_CONCURRENCY = 1_000;

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === "function"
  );
}
