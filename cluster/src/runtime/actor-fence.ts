import { ClusterError } from "../errors.js";

/**
 * An actor's fence (after the leases that fence stale leaders): the actor answers only while its
 * worker has heard from the head recently. The worker renews the lease, for as long as the head
 * waits before it declares a silent node DEAD, each time the head answers a heartbeat; a node the
 * head has declared dead has had its actors restarted elsewhere, so once the lease has run out,
 * this incarnation refuses new calls and withholds the answers of those already running
 * (UNAVAILABLE: the caller tries the live incarnation). A process paused past that time (SIGSTOP,
 * a stopped VM, a long GC pause) and resumed answers nothing it computed meanwhile: the monotonic
 * clock counts the pause.
 *
 * No lease given (an actor whose worker sends none): never fenced.
 */
export class ActorFence {
  #until: number | undefined;
  readonly #now: () => number;

  constructor(leaseMs: number | undefined, now: () => number = () => performance.now()) {
    this.#now = now;
    if (leaseMs !== undefined) this.renew(leaseMs);
  }

  /** The worker heard from the head: answers are good for `validForMs` more. */
  renew(validForMs: number): void {
    this.#until = this.#now() + validForMs;
  }

  /** The refusal while fenced, else undefined. */
  refusal(): ClusterError | undefined {
    if (this.#until === undefined || this.#now() <= this.#until) return undefined;
    return new ClusterError(
      "UNAVAILABLE",
      "this actor is fenced: its node has not heard from the head within the head's death timeout",
    );
  }
}
