import type { Pricing } from "@neurogrid/schema";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { SettledTask } from "./settled-task.js";

/**
 * The BullMQ queue of tasks. A job's id is its task's id, so a task can never have two jobs:
 * adding it again (a retried submit, the recovery sweep) is a no-op while the job exists.
 */
export const TASK_QUEUE = "tasks";

export interface TaskJobData {
  taskId: string;
  /** The task's model (jobs from submitTask): lets the dispatcher start it in one statement. */
  modelId?: string;
  /**
   * The task's input, as stored (jobs from submitTask, small inputs of models called once:
   * jobInput): lets the dispatcher send the call while its start statement is in flight
   * (dispatcher.ts run()). The stored task stays the authority: the call's answer is used only
   * if the start finds the task open.
   */
  input?: Record<string, unknown>;
  /**
   * The task's first attempt was made by the process that accepted it (local-start.ts), and
   * failed: this job runs the attempts left.
   */
  startedLocally?: true;
  /** What settling the task needs (with `input`): its start need not be read back (deferred-start.ts). */
  charge?: TaskCharge;
}

/**
 * A task's account, escrow and pricing, as its submit wrote them: with these (and its input)
 * the dispatcher can run and capture a task without reading it back at its start.
 */
export interface TaskCharge {
  accountId: string;
  /** The escrow held (smallest units, as a decimal string: jobs are JSON). */
  maxPrice: string;
  pricing: Pricing;
  /** The client asked for a check (`verify`); absent: it did not. */
  verify?: boolean | undefined;
}

/** One task's job, as enqueue and enqueueMany take it. */
export interface TaskJob {
  taskId: string;
  priority: number;
  modelId?: string | undefined;
  input?: Record<string, unknown> | undefined;
  /** Its first attempt was made locally (local-start.ts): the job has the attempts left. */
  startedLocally?: boolean | undefined;
  /** Carried with the input (TaskJobData.charge). */
  charge?: TaskCharge | undefined;
  /** Started here (never carried by a job): told once its attempt has captured it. */
  onSettled?: ((settled: SettledTask) => void) | undefined;
}

/** Inputs up to this many characters of JSON travel in their job (kept as long as the job). */
export const MAX_JOB_INPUT_CHARS = 4096;

/**
 * What a task's job carries of its input: the input of a model called once (not a generation,
 * whose tokens are announced only after RUNNING), when it is small; else nothing.
 */
export function jobInput(pricing: Pricing | undefined, input: unknown): Record<string, unknown> | undefined {
  if (pricing?.unit === "output_token" || typeof input !== "object" || input === null) return undefined;
  const small =
    jsonLengthBound(input, MAX_JOB_INPUT_CHARS) <= MAX_JOB_INPUT_CHARS ||
    JSON.stringify(input).length <= MAX_JOB_INPUT_CHARS;
  return small ? (input as Record<string, unknown>) : undefined;
}

/** No number is longer than this in JSON ("-1.2345678901234567e-308"). */
const MAX_NUMBER_CHARS = 24;

/**
 * An upper bound of a value's JSON length, without writing it (a tensor's numbers counted, not
 * formatted); it stops counting once past `limit`. Only the exact length decides past it.
 */
export function jsonLengthBound(value: unknown, limit: number): number {
  let n = 0;
  const walk = (v: unknown): void => {
    if (n > limit) return;
    if (typeof v === "number") n += MAX_NUMBER_CHARS + 1;
    else if (typeof v === "string")
      n += v.length * 6 + 3; // every character escaped as \uXXXX
    else if (Array.isArray(v)) {
      n += 2;
      for (const item of v) walk(item);
    } else if (typeof v === "object" && v !== null) {
      n += 2;
      for (const [k, item] of Object.entries(v)) {
        n += k.length * 6 + 4;
        walk(item);
      }
    } else n += 6; // true, false, null
  };
  walk(value);
  return n;
}

export interface TaskQueueOptions {
  connection: Redis;
  prefix: string;
  attempts: number;
}

export class TaskQueue {
  readonly queue: Queue<TaskJobData>;
  readonly #opts: TaskQueueOptions;

  constructor(opts: TaskQueueOptions) {
    this.#opts = opts;
    this.queue = new Queue<TaskJobData>(TASK_QUEUE, { connection: opts.connection, prefix: opts.prefix });
  }

  /** Attempts a task gets in all (the first included). */
  get attempts(): number {
    return this.#opts.attempts;
  }

  /** Higher `priority` runs first (0..999); BullMQ's own scale is inverted (1 = highest). */
  async enqueue(t: TaskJob): Promise<void> {
    const job = this.#job(t);
    await this.queue.add(job.name, job.data, job.opts);
  }

  /** Many tasks' jobs in one round trip (BullMQ addBulk); each job id is still its task id. */
  async enqueueMany(tasks: TaskJob[]): Promise<void> {
    if (tasks.length > 0) await this.queue.addBulk(tasks.map((t) => this.#job(t)));
  }

  #job(t: TaskJob) {
    const data: TaskJobData = { taskId: t.taskId };
    if (t.modelId) data.modelId = t.modelId;
    if (t.modelId && t.input) {
      data.input = t.input;
      if (t.charge) data.charge = t.charge;
    }
    const local = t.startedLocally === true;
    if (local) data.startedLocally = true;
    return {
      name: "run",
      data,
      opts: {
        jobId: t.taskId,
        priority: 1000 - Math.max(0, Math.min(999, t.priority)),
        // A locally started task has had its first attempt (dispatcher.ts process()).
        attempts: local ? Math.max(1, this.#opts.attempts - 1) : this.#opts.attempts,
        backoff: { type: "exponential", delay: 200 },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    };
  }

  /** ensureJobs for one task. */
  async ensureJob(taskId: string, priority: number): Promise<void> {
    await this.ensureJobs([{ taskId, priority }]);
  }

  /**
   * Makes sure each unfinished task has a live job or a live local lease: adds a job, or
   * replaces one that has ended. The leases are read in one round trip for all of them.
   */
  async ensureJobs(tasks: readonly { taskId: string; priority: number }[]): Promise<void> {
    // A task a live process attempts under a lease (local-start.ts) needs no job.
    const leased = await this.leasedLocally(tasks.map((t) => t.taskId));
    for (const { taskId, priority } of tasks) {
      if (leased.has(taskId)) continue;
      const job = await this.queue.getJob(taskId);
      if (job) {
        const state = await job.getState();
        if (state !== "completed" && state !== "failed") continue;
        await job.remove().catch(() => {});
      }
      await this.enqueue({ taskId, priority });
    }
  }

  /** The sorted set of local attempts' leases (local-start.ts): task id, scored by expiry (ms). */
  get #leaseKey(): string {
    return `${this.#opts.prefix}:${TASK_QUEUE}:local-leases`;
  }

  /** Takes (or renews) leases on tasks being attempted by this process, until `untilMs`. */
  async leaseLocal(taskIds: readonly string[], untilMs: number): Promise<void> {
    if (taskIds.length === 0) return;
    await this.#opts.connection.zadd(this.#leaseKey, ...taskIds.flatMap((id) => [untilMs, id]));
  }

  async releaseLocal(...taskIds: string[]): Promise<void> {
    if (taskIds.length > 0) await this.#opts.connection.zrem(this.#leaseKey, ...taskIds);
  }

  /** Drops the leases that have expired (the recovery sweep does, now and then). */
  async pruneLeases(nowMs = Date.now()): Promise<void> {
    await this.#opts.connection.zremrangebyscore(this.#leaseKey, "-inf", nowMs);
  }

  /** Of these tasks, those under a lease that has not expired. */
  async leasedLocally(taskIds: readonly string[], nowMs = Date.now()): Promise<Set<string>> {
    if (taskIds.length === 0) return new Set();
    const scores = await this.#opts.connection.zmscore(this.#leaseKey, ...taskIds);
    return new Set(taskIds.filter((_, i) => scores[i] !== null && Number(scores[i]) > nowMs));
  }

  /** Removes a task's job if it is waiting (an active job is aborted through the cancel channel). */
  async remove(taskId: string): Promise<void> {
    const job = await this.queue.getJob(taskId);
    if (!job) return;
    try {
      await job.remove();
    } catch {
      // active or locked by a worker: the dispatcher sees the task CANCELLED and stops.
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
