/**
 * The epoch rules of the call channel (actor.proto): every actor incarnation runs with the
 * epoch the head issued for its start (ActorInfo.epoch, larger for every later start), calls
 * carry the epoch their caller believes, answers the epoch of the incarnation that computed
 * them. 0 means "not known": a caller that names no epoch is not checked, and an actor started
 * without one checks nothing.
 *
 *   at the actor   a call for another epoch is refused: FAILED_PRECONDITION "stale epoch" (the
 *                  caller's view of the actor is out of date: it asks the head again and retries
 *                  on the incarnation the head has now)
 *   at the caller  an answer from another epoch than the one called, or from an epoch older
 *                  than the newest the caller has heard of for that actor (the head replaced it
 *                  while the call was in flight), is refused: UNAVAILABLE "stale epoch", which
 *                  handles retry like a lost actor; the answer is never used
 */
import { ClusterError, isClusterError } from "../errors.js";

const STALE = "stale epoch";

/** The actor's side: the refusal of a call meant for another incarnation than `own`, else undefined. */
export function staleCall(own: number, called: number): ClusterError | undefined {
  if (own === 0 || called === 0 || own === called) return undefined;
  return new ClusterError(
    "FAILED_PRECONDITION",
    `${STALE}: the call was meant for epoch ${called}, this incarnation of the actor is epoch ${own}`,
  );
}

/**
 * The caller's side: the refusal of an answer from epoch `answered` to a call made to epoch
 * `called`, when the newest epoch the caller knows for the actor is `newest`; else undefined.
 */
export function staleAnswer(called: number, answered: number, newest: number): ClusterError | undefined {
  if (called === 0) return undefined;
  if (answered !== called)
    return new ClusterError("UNAVAILABLE", `${STALE}: called epoch ${called}, answered by epoch ${answered}`);
  if (newest > answered)
    return new ClusterError(
      "UNAVAILABLE",
      `${STALE}: answered by epoch ${answered}, but the head has since started epoch ${newest}`,
    );
  return undefined;
}

/** Whether the actor refused a call as meant for another incarnation (staleCall). */
export function isStaleCall(err: unknown): boolean {
  return isClusterError(err) && err.code === "FAILED_PRECONDITION" && err.message.startsWith(STALE);
}

/**
 * The newest epoch a driver has heard of for each actor (from every ActorInfo the head gave it),
 * which answers from older incarnations are checked against.
 */
export class EpochBook {
  readonly #newest = new Map<string, number>();

  learn(actorId: string, epoch: number | undefined): void {
    if (epoch === undefined || epoch === 0) return;
    if (epoch > (this.#newest.get(actorId) ?? 0)) this.#newest.set(actorId, epoch);
  }

  newest(actorId: string): number {
    return this.#newest.get(actorId) ?? 0;
  }
}
