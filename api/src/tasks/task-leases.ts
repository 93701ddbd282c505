import type { TaskQueue } from "./task-queue.js";
import { TickBatch } from "./tick-batch.js";

/**
 * The leases of every task this process attempts outside the queue: local starts, the local
 * backlog (local-start.ts) and the OpenAI endpoint's completions. A lease (task-queue.ts
 * leaseLocal: the task's id in a sorted set, scored by its expiry) tells the recovery sweep to
 * leave an open task without a job alone; once the process has died, nothing renews it, it
 * expires, and the sweep gives the task a job.
 *
 * One set of held ids and ONE renewal loop for the process, every third of the lease (as BullMQ
 * renews an active job's lock): all held leases are renewed in one ZADD. Takes and releases of
 * the same tick go out together too (tick-batch.ts), in the order they were asked for, on one
 * connection, so a release is never overtaken by an earlier take or renewal of the same task.
 */
export type LeaseQueue = Pick<TaskQueue, "leaseLocal" | "releaseLocal">;

export interface TaskLeasesOptions {
  /** How long a lease lasts unless renewed (the job lock time). */
  leaseMs: number;
  /** How often held leases are renewed (default: a third of leaseMs, at least MIN_RENEW_MS); 0: never (tests call renew()). */
  renewEveryMs?: number;
  log?: (msg: string) => void;
  /** Tests: a clock. */
  now?: () => number;
}

/** Renewals are never more frequent than this. */
const MIN_RENEW_MS = 100;

export class TaskLeases {
  readonly #held = new Set<string>();
  readonly #taking: TickBatch;
  readonly #releasing: TickBatch;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #log: (msg: string) => void;

  constructor(queue: LeaseQueue, opts: TaskLeasesOptions) {
    const now = opts.now ?? Date.now;
    this.#log = opts.log ?? (() => {});
    this.#taking = new TickBatch((ids) => queue.leaseLocal(ids, now() + opts.leaseMs));
    this.#releasing = new TickBatch((ids) => queue.releaseLocal(...ids));
    const every = opts.renewEveryMs ?? Math.max(MIN_RENEW_MS, Math.floor(opts.leaseMs / 3));
    if (every > 0) {
      this.#timer = setInterval(() => {
        this.renew().catch((err) => this.#log(`renewing task leases: ${String(err)}`));
      }, every);
      this.#timer.unref();
    }
  }

  /** Leases held now. */
  get size(): number {
    return this.#held.size;
  }

  /** Takes leases on these tasks, renewed until released; resolves once written. */
  take(taskIds: readonly string[]): Promise<void> {
    for (const id of taskIds) this.#held.add(id);
    return this.#taking.add(taskIds);
  }

  /** Stops renewing these tasks' leases and drops them; resolves once written. */
  release(taskIds: readonly string[]): Promise<void> {
    for (const id of taskIds) this.#held.delete(id);
    return this.#releasing.add(taskIds);
  }

  /** One task's lease, for a caller that holds it around one piece of work. */
  hold(taskId: string): { release(): void } {
    this.take([taskId]).catch((err) => this.#log(`lease of ${taskId}: ${String(err)}`));
    return {
      release: () => {
        this.release([taskId]).catch((err) => this.#log(`release of ${taskId}: ${String(err)}`));
      },
    };
  }

  /** Renews every held lease now, in one write (the loop calls this). */
  renew(): Promise<void> {
    return this.#held.size === 0 ? Promise.resolve() : this.#taking.add([...this.#held]);
  }

  /** Stops the renewal loop (the leases still held lapse on their own). */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
