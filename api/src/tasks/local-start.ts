import { PriorityFifo } from "./priority-fifo.js";
import type { TaskLeases } from "./task-leases.js";
import type { TaskJob, TaskQueue } from "./task-queue.js";

/**
 * Local start: a task accepted by a process that also dispatches, when that dispatcher has a
 * free slot and the task's model deployment at hand, starts there at once instead of making the
 * round trips through the queue (job added, worker woken, job moved to active) before its start.
 *
 * It gets no job. Instead the process takes a LEASE on it (task-leases.ts: in Redis, for the job
 * lock time, renewed with the process's other leases every third of that time while the attempt
 * lives, as BullMQ renews an active job's lock), before the task's answer. Then:
 *   - the attempt ends with the task final (completed, failed for good, cancelled): the lease
 *     is released;
 *   - the attempt fails with an error worth retrying: the task gets its job at once, and runs
 *     its remaining attempts through the queue like any task (the job's `startedLocally` flag
 *     numbers them after the local one); the lease is released;
 *   - the process dies: nothing renews the lease, and once it has expired the recovery sweep of
 *     any dispatcher (dispatcher.ts, every job lock time) gives the open task a job, as it does
 *     for a task whose submit died before its job was added. The sweep leaves leased tasks alone.
 * A lease that lapses while its attempt still runs (renewals delayed past the lock time) can
 * let a second attempt start; as with any retry, the task's guarded capture charges once.
 * (A lease costs two cheap Redis commands, carried with the process's other commands; a delayed
 * BullMQ job as the backup would wake every worker on each add and cost two scripts.)
 *
 * Only tasks whose job would carry their input (task-queue.ts jobInput) start locally, so the
 * call goes out with the start statement (the attempt runner's early call), and only once their
 * hold has committed: a local start is an attempt of the one runner (attempt-runner.ts), of a
 * task already held. Local starts share the dispatcher's concurrency with its jobs: none starts
 * while as many calls are in flight in this process (slots.ts). The queue's pause holds them too (BullMQ Queue.pause; read every
 * 200 ms, so a pause holds local starts from at most that long after it).
 *
 * Local backlog (after a Ray Serve handle's own queue): a task accepted here that cannot start
 * at once (no free slot) waits in this process's backlog, under a lease like a local start, and
 * takes the next slot that frees here; highest priority first, then oldest. The backlog holds at
 * most what this process's slots run in `backlogMs` (from the mean time a call holds its slot;
 * at least one round of its slots, at most MAX_LOCAL_BACKLOG tasks); beyond that a
 * task goes to the shared queue, where
 * any dispatcher takes it. So an api that dispatches keeps a few seconds of its own work without
 * the queue's round trips (job added, worker woken, job moved to active, job moved to
 * completed), and a burst larger than that is still shared. While the backlog holds tasks, a new
 * one joins it (none overtakes it), and the worker's jobs get what slots the backlog leaves (it
 * keeps at least one). A cancelled task leaves the backlog; a graceful stop hands the backlog to
 * the queue; a process that dies leaves leases that expire, and the sweep queues those tasks.
 */
export interface LocalStarter {
  /** Tasks waiting in this process's backlog. */
  readonly waiting: number;
  /**
   * Starts here those of `tasks` that can (capacity, deployment, input), under a lease, and
   * adds the others' jobs through `enqueue`. Resolves once the leases and jobs are written, to
   * how many of them started here at once.
   */
  startOrQueue(tasks: TaskJob[], enqueue: (jobs: TaskJob[]) => Promise<void>): Promise<number>;
}

/** The dispatcher's side of local starts. */
export interface LocalRunner {
  /** How long a local start's call holds its slot, on average lately (undefined before one has). */
  readonly meanSlotMs: number | undefined;
  /** Whether a task of this model can start here now (a free slot, its deployment at hand). */
  canStart(modelId: string): boolean;
  /** Whether a task of this model may wait here for a slot (its deployment at hand, not paused). */
  canQueue(modelId: string): boolean;
  /**
   * The task's first attempt, run here; counts against the dispatcher's concurrency from the
   * call on. Resolves to the error to retry through the queue, or undefined when the task is
   * final (settled or failed for good by the attempt itself).
   */
  attempt(job: TaskJob): Promise<Error | undefined>;
}

export interface LocalRunsOptions {
  /**
   * How much of its own work a process keeps waiting here (local backlog), in milliseconds of
   * what its slots run in that time (from the mean time a call holds a slot); 0: none (a task
   * that cannot start at once is queued).
   */
  backlogMs: number;
  /** The dispatcher's concurrency: the backlog is at least this long once it is on. */
  concurrency: number;
  log?: (msg: string) => void;
}

/** The backlog never holds more tasks than this, whatever the throughput. */
const MAX_LOCAL_BACKLOG = 10_000;

export class LocalRuns implements LocalStarter {
  readonly #runs = new Set<Promise<void>>();
  /** Tasks accepted here waiting for a slot here, under leases (highest priority first). */
  readonly #backlog = new PriorityFifo<TaskJob>();
  #closing = false;
  readonly #log: (msg: string) => void;
  readonly #runner: LocalRunner;
  readonly #queue: Pick<TaskQueue, "enqueue" | "enqueueMany">;
  readonly #leases: TaskLeases;
  readonly #opts: LocalRunsOptions;

  constructor(
    runner: LocalRunner,
    queue: Pick<TaskQueue, "enqueue" | "enqueueMany">,
    leases: TaskLeases,
    opts: LocalRunsOptions,
  ) {
    this.#runner = runner;
    this.#queue = queue;
    this.#leases = leases;
    this.#opts = opts;
    this.#log = opts.log ?? (() => {});
  }

  /** Tasks waiting in the backlog. */
  get waiting(): number {
    return this.#backlog.size;
  }

  async startOrQueue(tasks: TaskJob[], enqueue: (jobs: TaskJob[]) => Promise<void>): Promise<number> {
    const leased: string[] = [];
    const queued: TaskJob[] = [];
    let started = 0;
    // Each start takes its slot at once (attempt()), so the next task of the batch sees it taken.
    for (const t of tasks) {
      if (t.modelId === undefined || t.input === undefined || this.#closing) queued.push(t);
      else if (this.#backlog.size === 0 && this.#runner.canStart(t.modelId)) {
        leased.push(t.taskId);
        started++;
        this.#track(t, this.#runner.attempt(t));
      } else if (this.#runner.canQueue(t.modelId) && this.#backlog.size < this.#backlogLimit()) {
        leased.push(t.taskId);
        this.#backlog.push(t.priority, t);
      } else queued.push(t);
    }
    this.drain();
    await Promise.all([
      leased.length > 0 ? this.#leases.take(leased) : undefined,
      queued.length > 0 ? enqueue(queued) : undefined,
    ]);
    return started;
  }

  /**
   * Starts backlog tasks while the dispatcher has free slots: called whenever one frees (an
   * attempt ended, the queue resumed).
   */
  drain(): void {
    for (let next = this.#backlog.peek(); next !== undefined; next = this.#backlog.peek()) {
      if (this.#closing || !this.#runner.canStart(next.modelId ?? "")) return;
      this.#backlog.shift();
      this.#track(next, this.#runner.attempt(next));
    }
  }

  /** A backlog task cancelled: it leaves the backlog and its lease goes. Whether it was there. */
  drop(taskId: string): boolean {
    if (!this.#backlog.remove((t) => t.taskId === taskId)) return false;
    this.#leases.release([taskId]).catch((err) => this.#log(`releasing ${taskId}: ${String(err)}`));
    return true;
  }

  /** Nothing more starts here, from the backlog or a new submit (close() follows). */
  stop(): void {
    this.#closing = true;
  }

  /**
   * A graceful stop: the backlog is handed to the queue (jobs first, then the leases go), and the
   * attempts under way are waited for; no new one should be started meanwhile.
   */
  async close(): Promise<void> {
    this.#closing = true;
    const left = this.#backlog.drain();
    if (left.length > 0) {
      await this.#queue.enqueueMany(left);
      await this.#leases.release(left.map((t) => t.taskId));
    }
    // Leases are renewed until the last attempt has ended, as BullMQ renews locks while it drains.
    await Promise.all([...this.#runs]);
  }

  /**
   * As many tasks as this process's slots run in backlogMs, all busy (Little's law: slots /
   * mean time in a slot); at least one round of its slots. Before any call has ended, one
   * round.
   */
  #backlogLimit(): number {
    if (this.#opts.backlogMs <= 0) return 0;
    const { concurrency } = this.#opts;
    const slotMs = this.#runner.meanSlotMs;
    const rounds = slotMs === undefined ? 1 : this.#opts.backlogMs / Math.max(1, slotMs);
    return Math.min(MAX_LOCAL_BACKLOG, Math.max(concurrency, Math.floor(concurrency * rounds)));
  }

  /** Follows a local attempt: its lease renewed while it lives, then released (and a retry queued). */
  #track(job: TaskJob, attempt: Promise<Error | undefined>): void {
    const { taskId } = job;
    const run = (async () => {
      let retry: Error | undefined;
      try {
        retry = await attempt;
      } catch (err) {
        retry = err instanceof Error ? err : new Error(String(err));
      }
      // The job first, then the lease: the task is never open with neither.
      if (retry) await this.#queue.enqueue({ ...job, startedLocally: true });
      await this.#leases.release([taskId]);
    })()
      .catch((err) => this.#log(`local start of ${taskId}: ${String(err)}`))
      .finally(() => this.#runs.delete(run));
    this.#runs.add(run);
  }
}

/** Adds tasks' jobs: through the process's local starter when it has one, else all queued. */
export async function enqueueTasks(
  deps: { queue: TaskQueue; local?: LocalStarter | undefined },
  jobs: TaskJob[],
): Promise<number> {
  const enqueue = (all: TaskJob[]) => {
    const [only] = all;
    return all.length === 1 && only ? deps.queue.enqueue(only) : deps.queue.enqueueMany(all);
  };
  if (deps.local) return deps.local.startOrQueue(jobs, enqueue);
  await enqueue(jobs);
  return 0;
}
