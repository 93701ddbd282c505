/**
 * A handle on one actor: calls go over the long-lived channel to the actor's own process (the
 * head and the worker are not on the data path). Arguments and results are JSON.
 */
import type { ActorInfo } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { unaryCall } from "../grpc/call.js";
import type { ClientPool } from "../grpc/client-pool.js";
import { decodeJson, encodeJson } from "../grpc/convert.js";
import { clusterServices } from "../grpc/proto.js";
import type { ActorHandle, CallOptions } from "./types.js";

export class GrpcActorHandle implements ActorHandle {
  readonly info: ActorInfo;
  readonly #pool: ClientPool;
  readonly #defaultTimeoutMs: number | undefined;

  constructor(info: ActorInfo, pool: ClientPool, defaultTimeoutMs: number | undefined) {
    this.info = info;
    this.#pool = pool;
    this.#defaultTimeoutMs = defaultTimeoutMs;
  }

  async call<T = unknown>(method: string, args: unknown, opts: CallOptions = {}): Promise<T> {
    const { info } = this;
    if (info.address === "") {
      const why = info.deathCause === "" ? "" : `: ${info.deathCause}`;
      throw new ClusterError("UNAVAILABLE", `actor ${info.name} (${info.actorId}) is ${info.state}${why}`);
    }
    const reply = await unaryCall(
      this.#pool.get(info.address),
      clusterServices().actor.Call,
      { method, args: encodeJson(args, "INVALID_ARGUMENT", `args of ${method}`) },
      { timeoutMs: opts.timeoutMs ?? this.#defaultTimeoutMs, signal: opts.signal },
    );
    return decodeJson(reply.result, "INTERNAL", `result of ${method}`) as T;
  }
}
