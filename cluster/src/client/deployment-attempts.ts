import { setTimeout as delay } from "node:timers/promises";
import { ClusterError } from "../errors.js";
import type { CallOptions } from "./types.js";

/** How often a call with no replica asks the head again. */
const WAIT_POLL_MS = 100;
/** A call with no deadline waits this long for a first replica. */
const NO_REPLICA_WAIT_MS = 120_000;

/** One call's deadline, signal, retry budget and the replicas it failed on. */
export class Attempts {
  readonly avoid = new Set<string>();
  leaseUsed = false;
  readonly #started = Date.now();
  readonly #opts: CallOptions;
  readonly #deadline: number | undefined;
  #retriesLeft: number;

  constructor(opts: CallOptions, timeoutMs: number | undefined, retries: number) {
    this.#opts = opts;
    this.#deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    this.#retriesLeft = retries < 0 ? Number.POSITIVE_INFINITY : retries;
  }

  options(): CallOptions {
    const out: CallOptions = { ...this.#opts };
    if (this.#deadline !== undefined) out.timeoutMs = Math.max(1, this.#deadline - Date.now());
    return out;
  }

  mayRetry(): boolean {
    if (this.#retriesLeft <= 0 || this.#opts.signal?.aborted) return false;
    this.#retriesLeft -= 1;
    return true;
  }

  async pause(why: string): Promise<void> {
    const deadline = this.#deadline ?? this.#started + NO_REPLICA_WAIT_MS;
    const left = deadline - Date.now();
    // Nothing ran: not the model's timeout (DEADLINE_EXCEEDED), which a caller may charge for.
    if (left <= 0) throw new ClusterError("UNAVAILABLE", `${why} before the deadline`);
    try {
      await delay(Math.min(WAIT_POLL_MS, left), undefined, { signal: this.#opts.signal });
    } catch {
      throw new ClusterError("CANCELLED", "call cancelled by the caller while waiting for a replica");
    }
  }
}
