import { ClusterError } from "../errors.js";
import type { CallOptions } from "./types.js";

/**
 * Calls in flight on replicas that may be lost: when the head's replica list no longer has a
 * replica as ALIVE (its node was declared DEAD, or the actor died), every call this handle has
 * in flight there is abandoned at once and goes to another replica, as Ray's owner fails over
 * the tasks of a dead node, instead of waiting out its deadline on a link that may never answer
 * (a partitioned node's calls hang: nothing refuses them). The abandoned replica's answer, if it
 * ever comes, is not read; its actor's fence (runtime/actor-fence.ts) keeps it from answering
 * past its lease anyway.
 */
export class ReplicaLosses {
  readonly #inFlight = new Map<string, Set<AbortController>>();

  /**
   * One attempt on `actorId`: the options to call with (the caller's signal, or this handle
   * losing the replica, ends it), `lostError` to turn such an end into a retryable error, and
   * `done` to call when the attempt ends.
   */
  track(
    actorId: string,
    options: CallOptions,
  ): { options: CallOptions; lostError(err: unknown): unknown; done(): void } {
    const lost = new AbortController();
    const set = this.#inFlight.get(actorId) ?? new Set<AbortController>();
    set.add(lost);
    this.#inFlight.set(actorId, set);
    const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
    return {
      options: { ...options, signal },
      lostError: (err) =>
        lost.signal.aborted && !options.signal?.aborted
          ? new ClusterError("UNAVAILABLE", `replica ${actorId} was lost while the call was in flight`)
          : err,
      done: () => {
        set.delete(lost);
        if (set.size === 0 && this.#inFlight.get(actorId) === set) this.#inFlight.delete(actorId);
      },
    };
  }

  /** Abandons the calls in flight on every replica not in `live`. */
  keepOnly(live: ReadonlySet<string>): void {
    for (const [actorId, set] of this.#inFlight) {
      if (live.has(actorId)) continue;
      this.#inFlight.delete(actorId);
      for (const lost of set) lost.abort();
    }
  }
}
