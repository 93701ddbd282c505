/**
 * What runs inside an actor process. The actor host (one child process per actor, started by
 * the worker) looks the class up by name in the registry (actor-classes.ts), constructs it once
 * with the spec's initArgs, and routes every Actor.Call to `call`.
 *
 * Errors: throw ClusterError("INVALID_ARGUMENT" | "UNIMPLEMENTED" | "INTERNAL", ...) from
 * `call`; the host converts them to gRPC status codes.
 */
export interface ActorContext {
  actorId: string;
  /** GPU indices the head assigned (the host sets CUDA_VISIBLE_DEVICES to these). */
  gpuIds: number[];
  /** CUDA_VISIBLE_DEVICES as the process sees it ("" when no GPU was assigned). */
  cudaVisibleDevices: string;
}

export interface ActorInstance {
  call(method: string, args: unknown, signal: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

export type ActorClass = (initArgs: unknown, ctx: ActorContext) => Promise<ActorInstance>;
