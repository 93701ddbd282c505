import type { SettledTask } from "./settled-task.js";
import { movingMean } from "./slots.js";

/**
 * How far each waited-for task moves the mean time to an answer (a moving mean's weight): heavy,
 * so that a few fast probes end a slow spell (a burst of queued tasks before, say).
 */
const ANSWER_MEAN_WEIGHT = 0.5;
/** While tasks settle slower than the wait, one submit in this many still waits (a probe). */
const PROBE_EVERY = 4;

/**
 * A submit that started its task here may wait for its answer (NEUROGRID_ANSWER_WAIT_MS) and
 * answer COMPLETED with the result, as a client that follows the task would see it a moment
 * later: the task was held, started, run and captured by the one runner, in that order — the
 * wait only spares the client its subscription. Not waited for while the tasks waited for lately
 * took longer than the wait to settle (a slow model, or a loaded replica: the wait would only
 * delay the answer); then one submit in PROBE_EVERY still waits, so the mean learns when tasks
 * are fast again. Only waited-for tasks move the mean: a task whose client was answered at once
 * settles while that client subscribes to it, in the same process, and would keep the mean
 * high by that alone.
 */
export class AnswerWait {
  #meanMs: number | undefined;
  #skipped = 0;
  readonly #waitMs: number;
  readonly #now: () => number;

  /** `now`: tests' clock (performance.now by default). */
  constructor(waitMs: number, now: () => number = () => performance.now()) {
    this.#waitMs = waitMs;
    this.#now = now;
  }

  /**
   * A listener for the task's settlement (to put on its job) and `settled()`: after the task has
   * started here, what it settled as within the wait, or undefined.
   */
  listen(): { onSettled: (s: SettledTask) => void; settled: () => Promise<SettledTask | undefined> } {
    const began = this.#now();
    let settledAfterMs: number | undefined;
    let waiting = false;
    let counted = false;
    const count = (ms: number) => {
      if (counted) return;
      counted = true;
      this.#meanMs = movingMean(this.#meanMs, ms, ANSWER_MEAN_WEIGHT);
    };
    let resolve: (s: SettledTask | undefined) => void = () => {};
    const answer = new Promise<SettledTask | undefined>((r) => {
      resolve = r;
    });
    return {
      onSettled: (s) => {
        settledAfterMs = this.#now() - began;
        if (waiting) count(settledAfterMs);
        resolve(s);
      },
      settled: async () => {
        if (this.#waitMs <= 0) return undefined;
        const slow = this.#meanMs !== undefined && this.#meanMs > this.#waitMs;
        if (slow && ++this.#skipped % PROBE_EVERY !== 0) return undefined;
        waiting = true;
        if (settledAfterMs !== undefined) count(settledAfterMs);
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<undefined>((r) => {
          timer = setTimeout(() => r(undefined), Math.max(0, this.#waitMs - (this.#now() - began)));
        });
        const out = await Promise.race([answer, late]);
        clearTimeout(timer);
        return out;
      },
    };
  }
}
