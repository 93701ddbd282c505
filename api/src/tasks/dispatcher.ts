import type { MikroORM } from "@mikro-orm/postgresql";
import { type Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { AttemptRunner } from "./attempt-runner.js";
import { type LocalRunner, LocalRuns, type LocalStarter } from "./local-start.js";
import { sweepOpenTasks } from "./recovery-sweep.js";
import { Slots } from "./slots.js";
import type { TaskEventBus } from "./task-events.js";
import type { TaskLeases } from "./task-leases.js";
import { TASK_QUEUE, type TaskJob, type TaskJobData, type TaskQueue } from "./task-queue.js";

/**
 * The dispatcher: the BullMQ adapter of the attempt runner (attempt-runner.ts). Each job is one
 * attempt of its task; an error the runner returns is thrown back to BullMQ, which retries it
 * up to the queue's attempts (the runner fails the task on the last). Besides:
 *   - its slots (slots.ts) bound the calls in flight in this process, jobs' and local starts';
 *   - local starts and the local backlog (local-start.ts) run accepted tasks here without the
 *     queue's round trips, as attempts of the same runner;
 *   - the queue's pause (BullMQ Queue.pause), read every PAUSE_POLL_MS, holds local starts too
 *     (not through BullMQ's QueueEvents: that stream wakes its reader for every job's every state);
 *   - the recovery sweep (recovery-sweep.ts) gives every open task a job or a lease, and ends
 *     the spot checks whose process died (the runner's sweepChecks);
 *   - cancelTask's signal (through Redis) aborts a running attempt, or drops a backlog task.
 */
export const PAUSE_POLL_MS = 200;
/** The shortest interval between two recovery sweeps. */
const MIN_SWEEP_INTERVAL_MS = 1000;
/** The shortest stalled-job check interval (BullMQ's stalledInterval). */
const MIN_STALLED_INTERVAL_MS = 500;
/** How often BullMQ may take a job back from a stalled worker before it fails. */
const MAX_STALLED_COUNT = 5;

export interface DispatcherOptions {
  orm: MikroORM;
  /** The process's attempt runner (process-runner.ts). */
  runner: AttemptRunner;
  events: TaskEventBus;
  queue: TaskQueue;
  /** The process's task leases (task-leases.ts): local starts and the backlog hold theirs there. */
  leases: TaskLeases;
  /** The BullMQ worker's connection (infra/redis-connections.ts bullmq()). */
  connection: Redis;
  prefix: string;
  concurrency: number;
  jobLockMs: number;
  /** The local backlog's length in milliseconds of this process's work (local-start.ts); 0: none. */
  localBacklogMs: number;
  log?: (msg: string) => void;
}

export class Dispatcher implements LocalRunner {
  /** Starts tasks accepted by this process here at once when it can (local-start.ts). */
  readonly local: LocalStarter;
  readonly #runner: AttemptRunner;
  readonly #localRuns: LocalRuns;
  readonly #slots: Slots;
  readonly #worker: Worker<TaskJobData>;
  #accepting = false;
  #queuePaused = false;
  #pausePoll: NodeJS.Timeout | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #stopListening: (() => void) | undefined;
  readonly #opts: DispatcherOptions;

  constructor(opts: DispatcherOptions) {
    this.#opts = opts;
    const log = (m: string) => opts.log?.(`dispatcher: ${m}`);
    this.#runner = opts.runner;
    this.#worker = new Worker<TaskJobData>(TASK_QUEUE, (job) => this.#process(job), {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      autorun: false,
      lockDuration: opts.jobLockMs,
      stalledInterval: Math.max(MIN_STALLED_INTERVAL_MS, Math.floor(opts.jobLockMs / 2)),
      maxStalledCount: MAX_STALLED_COUNT,
    });
    this.#worker.on("error", (err) => log(err.message));
    this.#slots = new Slots({
      concurrency: opts.concurrency,
      onFree: () => this.#localRuns.drain(),
      // Local calls count against the worker's concurrency too (it keeps at least one).
      onLocal: (localActive) => {
        this.#worker.concurrency = Math.max(1, opts.concurrency - localActive);
      },
    });
    this.#localRuns = new LocalRuns(this, opts.queue, opts.leases, {
      backlogMs: opts.localBacklogMs,
      concurrency: opts.concurrency,
      log,
    });
    this.local = this.#localRuns;
  }

  get meanSlotMs(): number | undefined {
    return this.#slots.meanSlotMs;
  }

  /** Re-enqueues unfinished tasks (a crash between commit and enqueue), then starts working. */
  async start(): Promise<void> {
    await sweepOpenTasks(this.#opts.orm, this.#opts.queue, 0);
    this.#stopListening = await this.#opts.events.onCancel((taskId) => {
      this.#runner.cancel(taskId);
      this.#localRuns.drop(taskId);
    });
    void this.#worker.run();
    await this.#worker.waitUntilReady();
    this.#queuePaused = await this.#opts.queue.queue.isPaused();
    this.#pausePoll = setInterval(() => {
      this.#opts.queue.queue.isPaused().then(
        (paused) => {
          const resumed = this.#queuePaused && !paused;
          this.#queuePaused = paused;
          if (resumed) this.#localRuns.drain();
        },
        () => {},
      );
    }, PAUSE_POLL_MS);
    this.#pausePoll.unref();
    this.#accepting = true;
    const every = Math.max(MIN_SWEEP_INTERVAL_MS, this.#opts.jobLockMs);
    this.#sweeper = setInterval(() => {
      sweepOpenTasks(this.#opts.orm, this.#opts.queue, this.#opts.jobLockMs).catch((err) =>
        this.#opts.log?.(`dispatcher sweep: ${String(err)}`),
      );
      this.#runner.sweepChecks().catch((err) => this.#opts.log?.(`verification sweep: ${String(err)}`));
    }, every);
    this.#sweeper.unref();
  }

  async close(): Promise<void> {
    this.#accepting = false;
    if (this.#sweeper) clearInterval(this.#sweeper);
    // Nothing more starts from the backlog; the worker has stopped taking jobs (and its own have
    // ended) before the backlog is handed to the queue: those tasks are for the other
    // dispatchers (or this one's next start), not for this stop to run.
    this.#localRuns.stop();
    await this.#worker.close();
    await this.#localRuns.close();
    if (this.#pausePoll) clearInterval(this.#pausePoll);
    this.#stopListening?.();
  }

  canStart(modelId: string): boolean {
    return this.canQueue(modelId) && this.#slots.hasFree();
  }

  canQueue(modelId: string): boolean {
    return this.#accepting && !this.#queuePaused && this.#runner.knows(modelId);
  }

  /** A local start's attempt (local-start.ts): the task's first; the last if only one is allowed. */
  attempt(job: TaskJob): Promise<Error | undefined> {
    const slot = this.#slots.take(true);
    return this.#runner
      .run({ ...job, attempt: 1, lastAttempt: this.#opts.queue.attempts <= 1, onCallEnded: slot.callEnded })
      .finally(slot.end);
  }

  async #process(job: Job<TaskJobData>): Promise<void> {
    const { startedLocally, ...carried } = job.data;
    const slot = this.#slots.take(false);
    const retry = await this.#runner
      .run({
        ...carried,
        // A locally started task's job (its local attempt failed): its attempts come after that one.
        attempt: job.attemptsMade + 1 + (startedLocally ? 1 : 0),
        lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        onCallEnded: slot.callEnded,
      })
      .finally(slot.end);
    if (retry) throw retry;
  }
}
