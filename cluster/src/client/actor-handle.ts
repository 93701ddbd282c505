/**
 * A handle on one actor: calls go over the call channel to the actor's own process (the head
 * and the worker are not on the data path). Arguments, results and items are JSON.
 *
 * Retries (Ray's max_task_retries): a call that fails with UNAVAILABLE — the actor's process
 * died or cannot be reached — is tried again while the actor's maxTaskRetries allow (-1:
 * forever). Before each retry the handle asks the head where the actor lives now (its info
 * follows), waiting while the actor is PENDING_CREATION or RESTARTING; a DEAD actor ends the
 * retries. The call's deadline and signal cover every attempt. A streaming call is retried only
 * while none of its items has reached the caller. Errors from the actor's own code (INTERNAL,
 * INVALID_ARGUMENT, ...) are never retried.
 *
 * Fencing: each attempt names the incarnation the handle knows (actorId and epoch,
 * ../grpc/epoch-fence.ts); an actor that is another incarnation refuses it (FAILED_PRECONDITION
 * "stale epoch"), and the handle then asks the head where the actor lives now and retries there,
 * while maxTaskRetries allow (a handle without retries, like a deployment's replica handle,
 * passes the refusal up). An answer from another incarnation fails the attempt UNAVAILABLE and
 * is retried like a lost actor.
 */

import { setTimeout as delay } from "node:timers/promises";
import { type ActorInfo, ActorState } from "@neurogrid/schema";
import { ClusterError, isClusterError } from "../errors.js";
import { decodeJson, encodeJson } from "../grpc/convert.js";
import { isStaleCall } from "../grpc/epoch-fence.js";
import type { ActorChannel, ChannelCallOptions } from "./actor-channel.js";
import type { ActorChannels } from "./actor-channels.js";
import type { ActorHandle, CallOptions } from "./types.js";

export interface ActorHandleDeps {
  channels: ActorChannels;
  /** Deadline for calls that set none. */
  defaultTimeoutMs: number | undefined;
  /** Retries of a call whose actor died: 0 none, -1 forever. */
  maxTaskRetries: number;
  /** Where the actor lives now, as the head says (for retries). */
  lookup: (namespace: string, name: string) => Promise<ActorInfo>;
}

const FIRST_RETRY_DELAY_MS = 50;
const MAX_RETRY_DELAY_MS = 1_000;
/** How long a probe of the failed address may take to connect. */
const REACHABLE_PROBE_MS = 500;
/** How long to wait for the head to notice an actor's death (node heartbeat timeout and more). */
const UNNOTICED_DEATH_WAIT_MS = 60_000;

export class GrpcActorHandle implements ActorHandle {
  #info: ActorInfo;
  readonly #deps: ActorHandleDeps;

  constructor(info: ActorInfo, deps: ActorHandleDeps) {
    this.#info = info;
    this.#deps = deps;
    deps.channels.epochs.learn(info.actorId, info.epoch);
  }

  /** Where the actor lives, as last heard from the head. */
  get info(): ActorInfo {
    return this.#info;
  }

  async call<T = unknown>(method: string, args: unknown, opts: CallOptions = {}): Promise<T> {
    const payload = encodeJson(args, "INVALID_ARGUMENT", `args of ${method}`);
    const attempt = new Attempts(this.#deps, opts);
    for (;;) {
      try {
        const reply = await this.#channel().unary(method, payload, this.#options(attempt));
        return decodeJson(reply, "INTERNAL", `result of ${method}`) as T;
      } catch (err) {
        await this.#beforeRetry(err, attempt);
      }
    }
  }

  async *stream<T = unknown>(method: string, args: unknown, opts: CallOptions = {}): AsyncGenerator<T> {
    const payload = encodeJson(args, "INVALID_ARGUMENT", `args of ${method}`);
    const attempt = new Attempts(this.#deps, opts);
    let delivered = false;
    for (;;) {
      try {
        for await (const item of this.#channel().stream(method, payload, this.#options(attempt))) {
          delivered = true;
          yield decodeJson(item, "INTERNAL", `an item of ${method}`) as T;
        }
        return;
      } catch (err) {
        if (delivered) throw err;
        await this.#beforeRetry(err, attempt);
      }
    }
  }

  #options(attempt: Attempts): ChannelCallOptions {
    const { actorId, epoch = 0 } = this.#info;
    return { ...attempt.options(), incarnation: { actorId, epoch } };
  }

  #channel(): ActorChannel {
    const info = this.#info;
    if (info.state !== ActorState.ALIVE || info.address === "") {
      const why = info.deathCause === "" ? "" : `: ${info.deathCause}`;
      throw new ClusterError("UNAVAILABLE", `actor ${info.name} (${info.actorId}) is ${info.state}${why}`);
    }
    return this.#deps.channels.get(info.address);
  }

  /** Rethrows `err` unless the call may be tried again; then waits until the actor is ALIVE. */
  async #beforeRetry(err: unknown, attempt: Attempts): Promise<void> {
    if (isStaleCall(err) && attempt.mayRetry()) {
      await this.#refreshStale(err, attempt);
      return;
    }
    if (!isClusterError(err) || err.code !== "UNAVAILABLE" || !attempt.mayRetry()) throw err;
    const lost = this.#info.address;
    const giveUpAt = Date.now() + UNNOTICED_DEATH_WAIT_MS;
    for (;;) {
      await attempt.pause();
      let info: ActorInfo;
      try {
        info = await this.#deps.lookup(this.#info.namespace, this.#info.name);
      } catch (lookupErr) {
        if (isClusterError(lookupErr) && lookupErr.code === "UNAVAILABLE") continue; // the head is away
        throw err;
      }
      this.#learn(info);
      if (info.state === ActorState.DEAD) throw err;
      if (info.state !== ActorState.ALIVE) continue;
      if (info.address !== lost) {
        if (lost !== "") this.#deps.channels.forget(lost);
        return;
      }
      // The head still has it where it failed: try there again if the process answers at all,
      // else the head has not noticed the death yet (its heartbeat timeout): keep asking.
      if (await this.#deps.channels.reachable(lost, REACHABLE_PROBE_MS)) return;
      if (Date.now() > giveUpAt) throw err;
    }
  }

  /**
   * The actor refused the call as meant for an older incarnation: the head is asked where the
   * actor is now (until it is ALIVE in a newer epoch), then the call goes there. A DEAD actor,
   * or no newer epoch, ends the call with the refusal.
   */
  async #refreshStale(err: unknown, attempt: Attempts): Promise<void> {
    const refused = this.#info.epoch ?? 0;
    for (;;) {
      const info = await this.#deps.lookup(this.#info.namespace, this.#info.name).catch(() => undefined);
      if (info !== undefined) {
        this.#learn(info);
        if (info.state === ActorState.DEAD) throw err;
        if (info.state === ActorState.ALIVE && (info.epoch ?? 0) > refused) return;
        if (info.state === ActorState.ALIVE) throw err;
      }
      await attempt.pause();
    }
  }

  #learn(info: ActorInfo): void {
    this.#info = info;
    this.#deps.channels.epochs.learn(info.actorId, info.epoch);
  }
}

/** One call's retry budget, deadline and backoff, across its attempts. */
class Attempts {
  readonly #signal: AbortSignal | undefined;
  readonly #deadline: number | undefined;
  readonly #traceId: string | undefined;
  #retriesLeft: number;
  #delayMs = FIRST_RETRY_DELAY_MS;

  constructor(deps: ActorHandleDeps, opts: CallOptions) {
    const timeoutMs = opts.timeoutMs ?? deps.defaultTimeoutMs;
    this.#signal = opts.signal;
    this.#traceId = opts.traceId;
    this.#deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    this.#retriesLeft = deps.maxTaskRetries < 0 ? Number.POSITIVE_INFINITY : deps.maxTaskRetries;
  }

  options(): ChannelCallOptions {
    const timeoutMs = this.#deadline === undefined ? undefined : Math.max(0, this.#deadline - Date.now());
    return { timeoutMs, signal: this.#signal, traceId: this.#traceId };
  }

  mayRetry(): boolean {
    if (this.#retriesLeft <= 0 || this.#signal?.aborted) return false;
    this.#retriesLeft -= 1;
    return true;
  }

  /** Waits before the next look at the actor; throws once the call's deadline or signal ends it. */
  async pause(): Promise<void> {
    const left = this.#deadline === undefined ? Number.POSITIVE_INFINITY : this.#deadline - Date.now();
    if (left <= 0)
      throw new ClusterError("DEADLINE_EXCEEDED", "the actor did not come back before the deadline");
    const ms = Math.min(this.#delayMs, left);
    this.#delayMs = Math.min(MAX_RETRY_DELAY_MS, this.#delayMs * 2);
    try {
      await delay(ms, undefined, { signal: this.#signal });
    } catch {
      throw new ClusterError("CANCELLED", "call cancelled by the caller while waiting for the actor");
    }
  }
}
