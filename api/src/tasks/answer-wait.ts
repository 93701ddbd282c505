import type { SettledTask } from "./settled-task.js";
import { movingMean } from "./slots.js";

/** How far each answered task moves the mean time to an answer (a moving mean's weight). */
const ANSWER_MEAN_WEIGHT = 0.1;

/**
 * A submit that started its task here may wait for its answer (NEUROGRID_ANSWER_WAIT_MS) and
 * answer COMPLETED with the result, as a client that follows the task would see it a moment
 * later: the task was held, started, run and captured by the one runner, in that order — the
 * wait only spares the client its subscription. Not waited for while tasks started here have
 * lately taken longer than the wait to settle (a slow model, or a loaded replica: the wait would
 * only delay the answer); every task started here still updates that mean.
 */
export class AnswerWait {
  #meanMs: number | undefined;
  readonly #waitMs: number;

  constructor(waitMs: number) {
    this.#waitMs = waitMs;
  }

  /**
   * A listener for the task's settlement (to put on its job) and `settled()`: after the task has
   * started here, what it settled as within the wait, or undefined.
   */
  listen(): { onSettled: (s: SettledTask) => void; settled: () => Promise<SettledTask | undefined> } {
    const began = performance.now();
    let resolve: (s: SettledTask | undefined) => void = () => {};
    const answer = new Promise<SettledTask | undefined>((r) => {
      resolve = r;
    });
    return {
      onSettled: (s) => {
        this.#meanMs = movingMean(this.#meanMs, performance.now() - began, ANSWER_MEAN_WEIGHT);
        resolve(s);
      },
      settled: async () => {
        if (this.#waitMs <= 0 || (this.#meanMs !== undefined && this.#meanMs > this.#waitMs))
          return undefined;
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<undefined>((r) => {
          timer = setTimeout(() => r(undefined), Math.max(0, this.#waitMs - (performance.now() - began)));
        });
        const out = await Promise.race([answer, late]);
        clearTimeout(timer);
        return out;
      },
    };
  }
}
