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

  /** Higher `priority` runs first (0..999); BullMQ's own scale is inverted (1 = highest). */
  async enqueue(taskId: string, priority: number, modelId?: string): Promise<void> {
    const job = this.job({ taskId, priority, modelId });
    await this.queue.add(job.name, job.data, job.opts);
  }

  /** Many tasks' jobs in one round trip (BullMQ addBulk); each job id is still its task id. */
  async enqueueMany(tasks: { taskId: string; priority: number; modelId?: string }[]): Promise<void> {
    if (tasks.length > 0) await this.queue.addBulk(tasks.map((t) => this.job(t)));
  }

  private job(t: { taskId: string; priority: number; modelId?: string | undefined }) {
    return {
      name: "run",
      data: t.modelId ? { taskId: t.taskId, modelId: t.modelId } : { taskId: t.taskId },
      opts: {
        jobId: t.taskId,
        priority: 1000 - Math.max(0, Math.min(999, t.priority)),
        attempts: this.opts.attempts,
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
    await this.enqueue(taskId, priority);
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
