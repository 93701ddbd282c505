import type { ActorInfo } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import type { CallOptions } from "./types.js";

/**
 * Calls in flight on replicas that may be lost: when the head's replica list no longer has a
 * replica's incarnation as ALIVE (its node was declared DEAD, or the actor died, and maybe it was
 * restarted already: same actor id, another address and epoch), every call this handle has in
 * flight on that incarnation is abandoned at once and goes to another replica, as Ray's owner fails over
 * the tasks of a dead node, instead of waiting out its deadline on a link that may never answer
 * (a partitioned node's calls hang: nothing refuses them). The abandoned replica's answer, if it
 * ever comes, is not read; its actor's fence (runtime/actor-fence.ts) keeps it from answering
 * past its lease anyway.
 */
export class ReplicaLosses {
  readonly #inFlight = new Map<string, Set<AbortController>>();

  /**
   * One attempt on `replica`'s incarnation: the options to call with (the caller's signal, or
   * this handle losing the incarnation, ends it), `lostError` to turn such an end into a
   * retryable error, and `done` to call when the attempt ends.
   */
  track(
    replica: ActorInfo,
    options: CallOptions,
  ): { options: CallOptions; lostError(err: unknown): unknown; done(): void } {
    const actorId = incarnationOf(replica);
    const lost = new AbortController();
    const set = this.#inFlight.get(actorId) ?? new Set<AbortController>();
    set.add(lost);
    this.#inFlight.set(actorId, set);
    // The caller's cancel ends the attempt too: forwarded by a listener that done() removes (lighter
    // than AbortSignal.any on every call, and nothing stays attached to a long-lived signal).
    const caller = options.signal;
    const forward = () => lost.abort();
    if (caller?.aborted) lost.abort();
    else caller?.addEventListener("abort", forward, { once: true });
    return {
      options: { ...options, signal: lost.signal },
      lostError: (err) =>
        lost.signal.aborted && !caller?.aborted
          ? new ClusterError(
              "UNAVAILABLE",
              `replica ${replica.actorId} was lost while the call was in flight`,
            )
          : err,
      done: () => {
        caller?.removeEventListener("abort", forward);
        set.delete(lost);
        if (set.size === 0 && this.#inFlight.get(actorId) === set) this.#inFlight.delete(actorId);
      },
    };
  }

  /** Abandons the calls in flight on every incarnation not among the `live` replicas. */
  keepOnly(replicas: readonly ActorInfo[]): void {
    const live = new Set(replicas.map(incarnationOf));
    for (const [actorId, set] of this.#inFlight) {
      if (live.has(actorId)) continue;
      this.#inFlight.delete(actorId);
      for (const lost of set) lost.abort();
    }
  }
}

/** An actor incarnation: its id, where it serves and its epoch (a restart changes the last two). */
function incarnationOf(replica: ActorInfo): string {
  return `${replica.actorId}@${replica.address}#${replica.epoch ?? 0}`;
}
