import type { StartedTask } from "./settle.js";
import type { TaskJob, TaskQueue } from "./task-queue.js";

/**
 * Local start: a task accepted by a process that also dispatches, when that dispatcher has a
 * free slot and the task's model deployment at hand, starts there at once instead of making the
 * round trips through the queue (job added, worker woken, job moved to active) before its start.
 * The job is still added, before the submit answers, but as a BACKUP: delayed by the job lock
 * time, and kept delayed while the local attempt is alive (extended every third of that time,
 * as BullMQ renews a job's lock). Then:
 *   - the attempt ends with the task final (completed, failed for good, cancelled): the backup
 *     job is removed;
 *   - the attempt fails with an error worth retrying: the backup job is promoted now, and runs
 *     the task's remaining attempts through the queue like any job (its `startedLocally` flag
 *     numbers them after the local one);
 *   - the process dies: nothing extends the backup job, which runs after at most the job lock
 *     time, as a dead dispatcher's active job is taken up again after its lock expires.
 * A backup that fires while the local attempt still runs (the extensions delayed past the lock
 * time) starts a second attempt; as with any retry, the task's guarded capture charges once.
 *
 * Only tasks whose job carries their input (task-queue.ts jobInput) start locally, so the call
 * goes out with the start statement (the dispatcher's early call). A task submitted alone goes
 * further (prepare()): its replica is leased and its call sent BEFORE its hold statement, which
 * writes it RUNNING on that replica — no start statement at all, and the call runs while the
 * hold commits. The answer counts only if the hold committed; a hold that did not happen (no
 * funds, a conflict, an error) aborts the call, and nothing is stored, announced or charged. Local starts share the
 * dispatcher's concurrency with its jobs: none starts while as many tasks run in this process.
 * The queue's order is kept: a free slot means this dispatcher found no job waiting for it; and
 * so is its pause (BullMQ Queue.pause; read every 200 ms, so a pause holds local starts from at
 * most that long after it).
 */
export interface LocalStarter {
  /**
   * Adds every task's job through `enqueue`: those that start here (capacity, deployment, input)
   * get a backup job and are started at once. Resolves once the jobs are added.
   */
  startOrQueue(tasks: TaskJob[], enqueue: (jobs: TaskJob[]) => Promise<void>): Promise<void>;
  /**
   * For one task about to be held: a replica leased and its call sent now (see above), or
   * undefined when it cannot start here. Exactly one of confirm / abandon must follow.
   */
  prepare(taskId: string, modelId: string, input: Record<string, unknown>): Promise<HeldStart | undefined>;
}

/** A start the hold statement makes (LocalStarter.prepare). */
export interface HeldStart {
  /** Where the hold writes the task RUNNING. */
  readonly running: { nodeId: string; actorId: string };
  /**
   * The hold committed, the task RUNNING: the attempt goes on here, its job added as a backup
   * through `enqueue`. Not waited for: should this process die before the backup is added, the
   * recovery sweep gives the open task a job (dispatcher.ts sweep), as for any submit.
   */
  confirm(task: StartedTask, job: TaskJob, enqueue: (job: TaskJob) => Promise<void>): void;
  /** The hold did not happen: the call is aborted, the replica and the slot given back. */
  abandon(): void;
}

/** The dispatcher's side of a held start. */
export interface HeldAttempt {
  readonly running: { nodeId: string; actorId: string };
  /** As LocalRunner.attempt, for the task the hold wrote RUNNING. */
  attempt(task: StartedTask): Promise<Error | undefined>;
  abandon(): void;
}

/** The dispatcher's side of local starts. */
export interface LocalRunner {
  /** Whether a task of this model can start here now (a free slot, its deployment at hand). */
  canStart(modelId: string): boolean;
  /**
   * The task's first attempt, run here; counts against the dispatcher's concurrency from the
   * call on. Resolves to the error to retry through the queue, or undefined when the task is
   * final (settled or failed for good by the attempt itself).
   */
  attempt(taskId: string, modelId: string, input: Record<string, unknown>): Promise<Error | undefined>;
  /** A held start's first half (LocalStarter.prepare); undefined when it cannot start here. */
  prepareStart(
    taskId: string,
    modelId: string,
    input: Record<string, unknown>,
  ): Promise<HeldAttempt | undefined>;
}

export class LocalRuns implements LocalStarter {
  private readonly live = new Set<string>();
  private readonly runs = new Set<Promise<void>>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly runner: LocalRunner,
    private readonly queue: Pick<TaskQueue, "extendBackup" | "promoteBackup" | "removeBackup">,
    /** How long a backup job is delayed, and extended by while its attempt lives (the job lock time). */
    private readonly backupDelayMs: number,
    private readonly log: (msg: string) => void = () => {},
  ) {
    this.heartbeat = setInterval(() => this.extend(), Math.max(100, Math.floor(backupDelayMs / 3)));
    this.heartbeat.unref();
  }

  async startOrQueue(tasks: TaskJob[], enqueue: (jobs: TaskJob[]) => Promise<void>): Promise<void> {
    let settle: { resolve(): void; reject(err: unknown): void } | undefined;
    const added = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Each start takes its slot at once (attempt()), so the next task of the batch sees it taken.
    const jobs = tasks.map((t) => {
      if (t.modelId === undefined || t.input === undefined || !this.runner.canStart(t.modelId)) return t;
      this.track(t.taskId, this.runner.attempt(t.taskId, t.modelId, t.input), added);
      return { ...t, backupDelayMs: this.backupDelayMs };
    });
    enqueue(jobs).then(settle?.resolve, settle?.reject);
    await added;
  }

  async prepare(
    taskId: string,
    modelId: string,
    input: Record<string, unknown>,
  ): Promise<HeldStart | undefined> {
    const held = await this.runner.prepareStart(taskId, modelId, input);
    if (held === undefined) return undefined;
    return {
      running: held.running,
      confirm: (task, job, enqueue) => {
        const attempt = held.attempt(task);
        const added = enqueue({ ...job, backupDelayMs: this.backupDelayMs });
        added.catch((err) => this.log(`backup job of ${task.id}: ${String(err)}`));
        this.track(task.id, attempt, added);
      },
      abandon: () => held.abandon(),
    };
  }

  /** Waits for the attempts under way (a graceful stop); no new one should be started meanwhile. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await Promise.all([...this.runs]);
  }

  /** Follows a local attempt: its backup job kept delayed while it lives, then removed or promoted. */
  private track(taskId: string, attempt: Promise<Error | undefined>, added: Promise<void>): void {
    this.live.add(taskId);
    const run = (async () => {
      let retry: Error | undefined;
      try {
        retry = await attempt;
      } catch (err) {
        retry = err instanceof Error ? err : new Error(String(err));
      } finally {
        this.live.delete(taskId);
      }
      // Without its backup job (the add failed), the recovery sweep gives an open task a job.
      if (
        !(await added.then(
          () => true,
          () => false,
        ))
      )
        return;
      if (retry) await this.queue.promoteBackup(taskId);
      else await this.queue.removeBackup(taskId);
    })()
      .catch((err) => this.log(`local start of ${taskId}: ${String(err)}`))
      .finally(() => this.runs.delete(run));
    this.runs.add(run);
  }

  /** Keeps the live attempts' backup jobs delayed. */
  private extend(): void {
    for (const taskId of this.live) {
      void this.queue.extendBackup(taskId, this.backupDelayMs).catch(() => false);
    }
  }
}

/** Adds tasks' jobs: through the process's local starter when it has one, else all queued. */
export function enqueueTasks(
  deps: { queue: TaskQueue; local?: LocalStarter | undefined },
  jobs: TaskJob[],
): Promise<void> {
  const enqueue = (all: TaskJob[]) => {
    const [only] = all;
    return all.length === 1 && only ? deps.queue.enqueue(only) : deps.queue.enqueueMany(all);
  };
  return deps.local ? deps.local.startOrQueue(jobs, enqueue) : enqueue(jobs);
}
