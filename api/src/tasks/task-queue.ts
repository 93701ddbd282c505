import type { Pricing } from "@neurogrid/schema";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";

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
   * The task's first attempt was made by the process that accepted it (local-start.ts): this job
   * is its backup, delayed while that attempt is alive, and its attempts are the ones left.
   */
  startedLocally?: true;
}

/** One task's job, as enqueue and enqueueMany take it. */
export interface TaskJob {
  taskId: string;
  priority: number;
  modelId?: string | undefined;
  input?: Record<string, unknown> | undefined;
  /** A backup for a task started locally: delayed this long (local-start.ts). */
  backupDelayMs?: number | undefined;
}

/** Inputs up to this many characters of JSON travel in their job (kept as long as the job). */
export const MAX_JOB_INPUT_CHARS = 4096;

/**
 * What a task's job carries of its input: the input of a model called once (not a generation,
 * whose tokens are announced only after RUNNING), when it is small; else nothing.
 */
export function jobInput(pricing: Pricing | undefined, input: unknown): Record<string, unknown> | undefined {
  if (pricing?.unit === "output_token" || typeof input !== "object" || input === null) return undefined;
  return JSON.stringify(input).length <= MAX_JOB_INPUT_CHARS ? (input as Record<string, unknown>) : undefined;
}

export interface TaskQueueOptions {
  connection: Redis;
  prefix: string;
  attempts: number;
}

export class TaskQueue {
  readonly queue: Queue<TaskJobData>;

  constructor(private readonly opts: TaskQueueOptions) {
    this.queue = new Queue<TaskJobData>(TASK_QUEUE, { connection: opts.connection, prefix: opts.prefix });
  }

  /** Attempts a task gets in all (the first included). */
  get attempts(): number {
    return this.opts.attempts;
  }

  /** Higher `priority` runs first (0..999); BullMQ's own scale is inverted (1 = highest). */
  async enqueue(t: TaskJob): Promise<void> {
    const job = this.job(t);
    await this.queue.add(job.name, job.data, job.opts);
  }

  /** Many tasks' jobs in one round trip (BullMQ addBulk); each job id is still its task id. */
  async enqueueMany(tasks: TaskJob[]): Promise<void> {
    if (tasks.length > 0) await this.queue.addBulk(tasks.map((t) => this.job(t)));
  }

  private job(t: TaskJob) {
    const data: TaskJobData = { taskId: t.taskId };
    if (t.modelId) data.modelId = t.modelId;
    if (t.modelId && t.input) data.input = t.input;
    const backup = t.backupDelayMs !== undefined;
    if (backup) data.startedLocally = true;
    return {
      name: "run",
      data,
      opts: {
        jobId: t.taskId,
        priority: 1000 - Math.max(0, Math.min(999, t.priority)),
        ...(backup ? { delay: t.backupDelayMs } : {}),
        // A locally started task has had its first attempt (dispatcher.ts attemptOf).
        attempts: backup ? Math.max(1, this.opts.attempts - 1) : this.opts.attempts,
        backoff: { type: "exponential", delay: 200 },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    };
  }

  /** Makes sure an unfinished task has a live job: adds one, or replaces one that has ended. */
  async ensureJob(taskId: string, priority: number): Promise<void> {
    const job = await this.queue.getJob(taskId);
    if (job) {
      const state = await job.getState();
      if (state !== "completed" && state !== "failed") return;
      await job.remove().catch(() => {});
    }
    await this.enqueue({ taskId, priority });
  }

  /**
   * Keeps a local start's backup job delayed `delayMs` more (its first attempt is alive). False
   * if it is no longer delayed: gone, or already promoted (then it runs, and finds the task
   * final or takes it over: at most a second computation, never a second charge).
   */
  async extendBackup(taskId: string, delayMs: number): Promise<boolean> {
    const job = await this.queue.getJob(taskId);
    if (!job) return false;
    try {
      await job.changeDelay(delayMs);
      return true;
    } catch {
      return false;
    }
  }

  /** Runs a local start's backup job now (its first attempt failed: the job's retries take over). */
  async promoteBackup(taskId: string): Promise<void> {
    const job = await this.queue.getJob(taskId);
    await job?.promote().catch(() => {});
  }

  /** Removes a local start's backup job once its task is final (a no-op if it already runs). */
  async removeBackup(taskId: string): Promise<void> {
    await this.queue.remove(taskId).catch(() => 0);
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
