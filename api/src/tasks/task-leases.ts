import type { TaskQueue } from "./task-queue.js";

/**
 * A lease on a task attempted in this process outside the queue and outside the local backlog
 * (the OpenAI endpoint's completions): taken at once, renewed every third of its length while
 * held, released at the end — as local-start.ts leases its attempts, so that the recovery sweep
 * leaves the task alone while it runs and takes it up once the process has died.
 */
export class TaskLeases {
  readonly #queue: Pick<TaskQueue, "leaseLocal" | "releaseLocal">;
  readonly #leaseMs: number;
  readonly #log: (msg: string) => void;

  constructor(
    queue: Pick<TaskQueue, "leaseLocal" | "releaseLocal">,
    leaseMs: number,
    log: (msg: string) => void = () => {},
  ) {
    this.#queue = queue;
    this.#leaseMs = leaseMs;
    this.#log = log;
  }

  hold(taskId: string): { release(): void } {
    const renew = () =>
      this.#queue
        .leaseLocal([taskId], Date.now() + this.#leaseMs)
        .catch((err) => this.#log(`lease of ${taskId}: ${String(err)}`));
    const taken = renew();
    const timer = setInterval(renew, Math.max(1, Math.floor(this.#leaseMs / 3)));
    timer.unref();
    return {
      release: () => {
        clearInterval(timer);
        void taken.finally(() => this.#queue.releaseLocal(taskId)).catch(() => {});
      },
    };
  }
}
