import type { MikroORM } from "@mikro-orm/postgresql";
import { isClusterError, type ReplicaLease } from "@neurogrid/cluster";
import { type ActorInfo, type ModelManifest, TaskStatus } from "@neurogrid/schema";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { type Model, Node, Task } from "../db/entities/index.js";
import { deferStart } from "./deferred-start.js";
import { type DispatcherWrites, dispatcherWrites } from "./dispatcher-writes.js";
import { executeTask, type InferResult, type Started } from "./execute-task.js";
import {
  type HeldAnswer,
  type HeldAttempt,
  type LocalRunner,
  LocalRuns,
  type LocalStarter,
} from "./local-start.js";
import { modelById } from "./model-cache.js";
import type { ModelDeployment } from "./model-deployments.js";
import { advanceTask, failTask, type StartedTask } from "./settle.js";
import { startedEvents, type TaskEventBus } from "./task-events.js";
import { TASK_QUEUE, type TaskCharge, type TaskJob, type TaskJobData, type TaskQueue } from "./task-queue.js";

/**
 * The dispatcher: a BullMQ worker that runs each task on a replica of its model's deployment.
 *
 *   job(taskId) -> task final? done.
 *               -> SCHEDULED: get (or apply) the model's deployment (model-deployments.ts)
 *               -> lease a replica (power of two choices) and know its node's provider (it is
 *                  credited)
 *               -> RUNNING on that replica: call its own process directly — `infer`, or for a
 *                  model priced per output token `generate`, each token published as it comes
 *                  (run-generation.ts)
 *               -> COMPLETED: result + capture in one statement (settle.ts)
 *   Once a model's deployment is at hand, a task of that model (its job names the model) goes
 *   QUEUED -> RUNNING in one statement; SCHEDULED and RUNNING are both still announced (one
 *   Redis round trip, while the call runs), so a taskProgress subscriber sees every state; when
 *   its job carries its input, the call is sent while that statement is in flight and its
 *   answer used only if the task did start (run()). A task costs the
 *   dispatcher two SQL statements: start (which also reads the task) and capture, each shared
 *   with the other tasks starting or ending at the same time (group commit, dispatcher-writes.ts);
 *   a task whose job also carries its charge costs one when its call is fast: its start is
 *   written with its capture (deferred-start.ts).
 *   error: bad input (INVALID_ARGUMENT) fails for good at once; anything else is retried by
 *   BullMQ up to `attempts`, and the last attempt fails the task and refunds its escrow. A
 *   replica that goes away under a call is the deployment handle's to retry on another.
 *   cancel: cancelTask's signal (through Redis) aborts the call; a generation stops within one
 *   step and is charged the tokens it produced.
 *   local start: in the process that accepted it, a task can skip the queue's round trips and
 *   start at once, under a lease instead of a job (local-start.ts; `local`).
 */
const OWNER_TTL_MS = 30_000;
/** How long a held start waits for a live replica before the task is queued instead. */
const HELD_START_LEASE_WAIT_MS = 50;
/**
 * The reasons an attempt's abort signal gives (made once: an abort without a reason builds a
 * DOMException, with its stack, for every task).
 */
const ATTEMPT_ENDED = new Error("the attempt has ended");
const ATTEMPT_ABORTED = new Error("the attempt was aborted");

/**
 * Tasks whose call has ended and whose capture is still being written, per slot of concurrency,
 * at most: past that, no local start takes a free slot (the writes are falling behind the calls).
 */
const SETTLING_PER_SLOT = 4;

/** A moving mean: `mean` moved by `weight` of the way to `sample` (the sample alone at first). */
function movingMean(mean: number | undefined, sample: number, weight: number): number {
  return mean === undefined ? sample : mean + weight * (sample - mean);
}

/** How soon a pause of the queue stops local starts. */
export const PAUSE_POLL_MS = 200;

export interface ModelDeploymentSource {
  handle(manifest: ModelManifest): Promise<ModelDeployment>;
}

export interface DispatcherOptions {
  orm: MikroORM;
  /** Each model's deployment (model-deployments.ts; its owner closes it). */
  deployments: ModelDeploymentSource;
  events: TaskEventBus;
  queue: TaskQueue;
  redisUrl: string;
  prefix: string;
  concurrency: number;
  platformFeeBps: number;
  taskTimeoutMs: number;
  jobLockMs: number;
  /**
   * A task that carries its input and charge has its start written only if its call outlasts
   * this (else with its capture: deferred-start.ts); 0 writes every start before the call ends.
   */
  startWriteDelayMs: number;
  /**
   * Tasks accepted by this process that cannot start at once wait here, under leases, up to
   * what its slots run in this many milliseconds (local-start.ts); 0: they are queued.
   */
  localBacklogMs: number;
  /**
   * How long a held start's call may take for the submit to wait for its answer and complete
   * the task with its hold (local-start.ts HeldStart.answer); 0: not waited for.
   */
  answerWaitMs?: number;
  log?: (msg: string) => void;
}

/** What an attempt runs: a job's data, or a local start's. */
type TaskRun = Pick<TaskJob, "taskId" | "modelId" | "input" | "charge">;

/**
 * A slot of the dispatcher's concurrency, held by an attempt while its call is in flight
 * (takeSlot): given back when the call has ended — the attempt then counts among the settling
 * until it ends — or when the attempt ends before that. Both idempotent.
 */
interface Slot {
  callEnded(): void;
  end(): void;
}

/** Sends the task's call on a leased replica (run()'s early call). */
type EarlyCall = (deployment: ModelDeployment, lease: ReplicaLease) => Promise<InferResult>;

export class Dispatcher implements LocalRunner {
  /** Starts tasks accepted by this process here at once when it can (local-start.ts). */
  readonly local: LocalStarter;
  private readonly localRuns: LocalRuns;
  /** Calls in flight in this process (slots held): jobs' and local starts'. */
  private active = 0;
  /** Of those, local starts'. */
  private localActive = 0;
  /** Attempts whose call has ended, still settling (their capture being written). */
  private settling = 0;
  /** How long a local start's call holds its slot, on average lately (a moving mean): sizes the local backlog. */
  meanSlotMs: number | undefined;
  /** How long a held start's call takes to answer, on average lately (answerWithin). */
  private meanAnswerMs: number | undefined;
  private accepting = false;
  /**
   * The queue's pause (BullMQ Queue.pause), read every PAUSE_POLL_MS: local starts obey it too.
   * (Not through BullMQ's QueueEvents: that stream wakes its reader for every job's every state.)
   */
  private queuePaused = false;
  private pausePoll: NodeJS.Timeout | undefined;
  private readonly worker: Worker<TaskJobData>;
  /** Deployment handles that have resolved, by model id. */
  private readonly ready = new Map<string, ModelDeployment>();
  private readonly connection: Redis;
  private readonly owners = new Map<string, { providerId: string; at: number }>();
  /** Running tasks' abort switches, pulled by cancelTask through Redis. */
  private readonly running = new Map<string, AbortController>();
  private stopListening: (() => void) | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly writes: DispatcherWrites;

  constructor(private readonly opts: DispatcherOptions) {
    this.writes = dispatcherWrites(opts.orm);
    this.connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    this.worker = new Worker<TaskJobData>(TASK_QUEUE, (job) => this.process(job), {
      connection: this.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      autorun: false,
      lockDuration: opts.jobLockMs,
      stalledInterval: Math.max(500, Math.floor(opts.jobLockMs / 2)),
      maxStalledCount: 5,
    });
    this.worker.on("error", (err) => opts.log?.(`dispatcher: ${err.message}`));
    this.localRuns = new LocalRuns(this, opts.queue, {
      leaseMs: opts.jobLockMs,
      backlogMs: opts.localBacklogMs,
      concurrency: opts.concurrency,
      log: (m) => opts.log?.(`dispatcher: ${m}`),
    });
    this.local = this.localRuns;
  }

  /** Re-enqueues unfinished tasks (a crash between commit and enqueue), then starts working. */
  async start(): Promise<void> {
    await this.sweep(0);
    this.stopListening = await this.opts.events.onCancel((taskId) => {
      this.running.get(taskId)?.abort();
      this.localRuns.drop(taskId);
    });
    void this.worker.run();
    await this.worker.waitUntilReady();
    this.queuePaused = await this.opts.queue.queue.isPaused();
    this.pausePoll = setInterval(() => {
      this.opts.queue.queue.isPaused().then(
        (paused) => {
          const resumed = this.queuePaused && !paused;
          this.queuePaused = paused;
          if (resumed) this.localRuns.drain();
        },
        () => {},
      );
    }, PAUSE_POLL_MS);
    this.pausePoll.unref();
    this.accepting = true;
    this.sweeper = setInterval(
      () => {
        void this.sweep(this.opts.jobLockMs).catch((err) =>
          this.opts.log?.(`dispatcher sweep: ${String(err)}`),
        );
      },
      Math.max(1000, this.opts.jobLockMs),
    );
    this.sweeper.unref();
  }

  /**
   * Every unfinished task older than `minAgeMs` must have a live job or a live local lease: an
   * api that died between its commit and its enqueue left none, a process that died during a
   * local start left a lease that expires (local-start.ts), and a job that ended (its attempts
   * spent by crashes) while its task is still open is replaced. Adding a job whose id exists is
   * a no-op, so sweeping is safe from any number of dispatchers.
   */
  private async sweep(minAgeMs: number): Promise<void> {
    const open = await this.opts.orm.em.fork().find(
      Task,
      {
        status: { $in: [TaskStatus.QUEUED, TaskStatus.SCHEDULED, TaskStatus.RUNNING] },
        createdAt: { $lt: new Date(Date.now() - minAgeMs) },
      },
      { fields: ["id", "priority"], limit: 1000 },
    );
    await this.opts.queue.pruneLeases();
    await this.opts.queue.ensureJobs(open.map((t) => ({ taskId: t.id, priority: t.priority })));
  }

  async close(): Promise<void> {
    this.accepting = false;
    if (this.sweeper) clearInterval(this.sweeper);
    // Nothing more starts from the backlog; the worker has stopped taking jobs (and its own have
    // ended) before the backlog is handed to the queue: those tasks are for the other
    // dispatchers (or this one's next start), not for this stop to run.
    this.localRuns.stop();
    await this.worker.close();
    await this.localRuns.close();
    if (this.pausePoll) clearInterval(this.pausePoll);
    this.stopListening?.();
    this.connection.disconnect();
  }

  canStart(modelId: string): boolean {
    return (
      this.canQueue(modelId) &&
      this.active < this.opts.concurrency &&
      this.settling < this.opts.concurrency * SETTLING_PER_SLOT
    );
  }

  canQueue(modelId: string): boolean {
    return this.accepting && !this.queuePaused && this.ready.has(modelId);
  }

  /** A local start's attempt (local-start.ts): the task's first; the last if only one is allowed. */
  attempt(job: TaskJob): Promise<Error | undefined> {
    const slot = this.takeSlot(true);
    return this.settleAttempt(job.taskId, this.opts.queue.attempts <= 1, () =>
      this.run(job, 1, slot),
    ).finally(slot.end);
  }

  /**
   * A slot for an attempt's call (see Slot). The dispatcher's concurrency bounds the CALLS in
   * flight, as a Ray Serve handle's max ongoing requests does: once a task's answer is in, its
   * capture (a group commit: it waits for the statement in flight, then its own, then the WAL
   * flush) does not keep the next task's call waiting. Settling attempts are bounded apart
   * (SETTLING_PER_SLOT); a job's attempt still holds its BullMQ job until it has settled.
   * A slot freed may start the local backlog's next task (local-start.ts).
   */
  private takeSlot(local: boolean): Slot {
    this.active++;
    if (local) this.localRunning(+1);
    const began = performance.now();
    let state: "calling" | "settling" | "ended" = "calling";
    const freeCall = () => {
      this.active--;
      if (local) this.localRunning(-1);
    };
    return {
      callEnded: () => {
        if (state !== "calling") return;
        state = "settling";
        freeCall();
        // Only calls that ran to their answer size the backlog (not starts given up early).
        if (local) this.meanSlotMs = movingMean(this.meanSlotMs, performance.now() - began, 0.05);
        this.settling++;
        this.localRuns.drain();
      },
      end: () => {
        if (state === "ended") return;
        if (state === "calling") freeCall();
        else this.settling--;
        state = "ended";
        this.localRuns.drain();
      },
    };
  }

  /**
   * Local calls count against the BullMQ worker's concurrency too (it takes fewer jobs while
   * they are in flight), so that this process has at most `concurrency` calls in flight (one
   * more at worst: the worker keeps at least one).
   */
  private localRunning(delta: 1 | -1): void {
    this.localActive += delta;
    this.worker.concurrency = Math.max(1, this.opts.concurrency - this.localActive);
  }

  /**
   * A start made by the hold statement itself (local-start.ts HeldStart): a slot taken, a replica
   * leased and the task's call sent on it now, while the hold is in flight. Its answer is used
   * only once the hold has written the task RUNNING there (`attempt`); `abandon` (no hold)
   * aborts the call and gives back the replica and the slot. Undefined when it cannot start here.
   */
  async prepareStart(
    taskId: string,
    modelId: string,
    input: Record<string, unknown>,
  ): Promise<HeldAttempt | undefined> {
    const deployment = this.ready.get(modelId);
    if (deployment === undefined || !this.canStart(modelId)) return undefined;
    const slot = this.takeSlot(true);
    const scope = this.attemptScope(taskId);
    const end = () => {
      scope.end();
      slot.end();
    };
    let lease: ReplicaLease;
    try {
      // Only a replica that is there now: a submit does not wait for one to start.
      lease = await this.leaseOn(deployment, HELD_START_LEASE_WAIT_MS);
    } catch {
      end();
      return undefined;
    }
    const sentAt = performance.now();
    const sent = deployment.call<InferResult>("infer", { inputs: input }, scope.callOptions(lease));
    sent.then(
      () => {
        this.meanAnswerMs = movingMean(this.meanAnswerMs, performance.now() - sentAt, 0.1);
      },
      () => {},
    );
    return {
      running: { nodeId: lease.replica.nodeId, actorId: lease.replica.actorId },
      answer: () => this.answerWithin(sent, lease, scope),
      finish: async (startedAt: Date, finishedAt: Date) => {
        lease.release();
        end();
        await this.opts.events
          .publishAll([
            ...startedEvents(taskId, startedAt),
            { taskId, status: TaskStatus.COMPLETED, at: finishedAt.toISOString() },
          ])
          .catch((err) => this.opts.log?.(`dispatcher: announcing ${taskId}: ${String(err)}`));
      },
      attempt: (task: StartedTask) =>
        this.settleAttempt(taskId, this.opts.queue.attempts <= 1, async () => {
          const announced = this.opts.events.publishAll(startedEvents(taskId, task.at));
          announced.catch(() => {});
          await this.execute({ task, deployment, lease, announced, sent }, scope, slot);
        }).finally(end),
      abandon: () => {
        lease.release();
        end();
      },
    };
  }

  /**
   * A held start's answer if it comes, successfully, within answerWaitMs (the call was sent
   * before the hold): what one statement needs to hold, complete and capture the task. Not
   * waited for while held starts' calls take longer than that on average lately (a slow
   * model, or a loaded replica: the wait would only delay the hold); every held start's call
   * still updates that average, so waiting resumes once they are fast again.
   */
  private async answerWithin(
    sent: Promise<InferResult>,
    lease: ReplicaLease,
    scope: ReturnType<Dispatcher["attemptScope"]>,
  ): Promise<HeldAnswer | undefined> {
    const ms = this.opts.answerWaitMs ?? 0;
    if (ms <= 0 || (this.meanAnswerMs !== undefined && this.meanAnswerMs > ms)) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const out = await Promise.race([
      sent.catch(() => undefined),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
    clearTimeout(timer);
    if (!out) return undefined;
    const served = scope.servedBy() ?? lease.replica;
    const providerId = await this.providerOf(served.nodeId).catch(() => undefined);
    if (providerId === undefined) return undefined;
    return {
      outputs: out.outputs,
      executionProvider: out.executionProvider,
      inferenceMs: out.inferenceMs,
      nodeId: served.nodeId,
      actorId: served.actorId,
      providerId,
      platformFeeBps: this.opts.platformFeeBps,
    };
  }

  private async process(job: Job<TaskJobData>): Promise<void> {
    const { taskId, startedLocally } = job.data;
    // A locally started task's job (its local attempt failed): its attempts come after that one.
    const attempt = job.attemptsMade + 1 + (startedLocally ? 1 : 0);
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const slot = this.takeSlot(false);
    const retry = await this.settleAttempt(taskId, lastAttempt, () =>
      this.run(job.data, attempt, slot),
    ).finally(slot.end);
    if (retry) throw retry;
  }

  /**
   * One attempt. A failure for good (bad input, cancelled, or the last attempt) fails the task
   * and refunds its escrow here; any other is returned, to be retried.
   */
  private async settleAttempt(
    taskId: string,
    lastAttempt: boolean,
    work: () => Promise<void>,
  ): Promise<Error | undefined> {
    try {
      await work();
      return undefined;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const permanent =
        err instanceof UnrecoverableError ||
        (isClusterError(err) && (err.code === "INVALID_ARGUMENT" || err.code === "CANCELLED"));
      if (permanent || lastAttempt) {
        const failed = await failTask(this.opts.orm.em.fork(), taskId, message);
        if (failed) await this.announce(taskId, TaskStatus.FAILED, failed.finishedAt, message);
        return undefined;
      }
      return err instanceof Error ? err : new Error(message);
    }
  }

  /**
   * Starts the task: when its model's deployment is already at hand (every task but a model's
   * first in this process), a replica is leased and the task goes QUEUED -> RUNNING on it in one
   * statement, both states announced in one round trip; otherwise SCHEDULED first, then the
   * deployment is got (or applied), a replica leased, then RUNNING. `early` (run()) sends the
   * call on the leased replica before that statement, so that both are in flight together.
   */
  private async begin(
    run: TaskRun,
    attempt: number,
    early: EarlyCall | undefined,
    abortCall: () => void,
  ): Promise<Started | null> {
    const { taskId, modelId } = run;
    const known = modelId ? this.ready.get(modelId) : undefined;
    if (known && modelId) {
      const lease = await this.leaseOn(known);
      const sent = early?.(known, lease);
      // Awaited by run(), or dropped (its call aborted) when the start fails or finds nothing.
      sent?.catch(() => {});
      // Per call only: a per-millisecond task cancelled while RUNNING pays for its time so far
      // (cancel-task.ts), which needs its start stored from the start.
      if (sent && run.input && run.charge?.pricing.unit === "call" && this.opts.startWriteDelayMs > 0) {
        return this.deferredStart(
          { ...run, modelId },
          run.input,
          run.charge,
          attempt,
          known,
          lease,
          sent,
          abortCall,
        );
      }
      return this.holding(lease, async () => {
        const task = await this.writes.begin({
          taskId,
          attempts: attempt,
          running: { nodeId: lease.replica.nodeId, actorId: lease.replica.actorId },
        });
        if (!task) return null;
        // Another model than the job said (it cannot be, but never run a task on the wrong one).
        if (task.modelId !== modelId) throw new Error(`task ${taskId} is not of model ${modelId}`);
        // One round trip that the call need not wait for (run() awaits it before what follows).
        const announced = this.opts.events.publishAll(startedEvents(taskId, task.at));
        announced.catch(() => {});
        return { task, deployment: known, lease, announced, sent };
      });
    }
    const em = this.opts.orm.em.fork();
    const task = await this.writes.begin({ taskId, attempts: attempt });
    if (!task) return null; // gone, or final (cancelled, or finished by another attempt)
    await this.announce(taskId, TaskStatus.SCHEDULED, task.at);
    const model = await modelById(em, task.modelId);
    if (!model) throw new UnrecoverableError(`task ${taskId} has no model ${task.modelId}`);
    const deployment = await this.deploymentFor(model);
    const lease = await this.leaseOn(deployment);
    return this.holding(lease, async () => {
      const running = await advanceTask(em, taskId, TaskStatus.RUNNING, {
        nodeId: lease.replica.nodeId,
        actorId: lease.replica.actorId,
      });
      if (!running) return null; // cancelled (or finished elsewhere) before it started
      await this.announce(taskId, TaskStatus.RUNNING, running);
      return { task, deployment, lease, announced: Promise.resolve() };
    });
  }

  /**
   * A start written only if the call outlasts startWriteDelayMs, else with the capture
   * (deferred-start.ts): the task as its job carries it, nothing read back.
   */
  private deferredStart(
    run: TaskRun & { modelId: string },
    input: Record<string, unknown>,
    charge: TaskCharge,
    attempt: number,
    deployment: ModelDeployment,
    lease: ReplicaLease,
    sent: Promise<InferResult>,
    abortCall: () => void,
  ): Started {
    const { taskId, modelId } = run;
    const task: StartedTask = {
      id: taskId,
      accountId: charge.accountId,
      modelId,
      input,
      pricing: charge.pricing,
      maxPrice: BigInt(charge.maxPrice),
      at: new Date(),
    };
    const running = { nodeId: lease.replica.nodeId, actorId: lease.replica.actorId };
    const deferred = deferStart({
      attempts: attempt,
      delayMs: this.opts.startWriteDelayMs,
      write: async () => {
        const stored = await this.writes.begin({ taskId, attempts: attempt, running, at: task.at });
        // Another model than the job said (it cannot be): never run it on the wrong one.
        return stored && stored.modelId === modelId ? stored : null;
      },
      announce: (t) => this.opts.events.publishAll(startedEvents(taskId, t.at)),
      onFinal: abortCall,
      log: (m) => this.opts.log?.(`dispatcher: ${taskId}: ${m}`),
    });
    return { task, deployment, lease, announced: Promise.resolve(), sent, deferred };
  }

  /** A replica of the deployment whose node has a known provider (it will be credited). */
  private async leaseOn(
    deployment: ModelDeployment,
    timeoutMs = this.opts.taskTimeoutMs,
  ): Promise<ReplicaLease> {
    const lease = await deployment.lease({ timeoutMs });
    try {
      await this.providerOf(lease.replica.nodeId);
      return lease;
    } catch (err) {
      lease.release();
      throw err;
    }
  }

  /** Runs `work` holding the lease; releases it if `work` fails or gives up (null). */
  private async holding<T>(lease: ReplicaLease, work: () => Promise<T | null>): Promise<T | null> {
    let result: T | null = null;
    try {
      result = await work();
      return result;
    } finally {
      if (result === null) lease.release();
    }
  }

  /**
   * Runs the task. When its job carries its input (a model called once, `infer`: task-queue.ts)
   * and the deployment is at hand, the call is sent on the leased replica while the start
   * statement is in flight (early call), rather than one round trip after it; SCHEDULED and
   * RUNNING are announced while the call runs. What stays ordered:
   *   - nothing of the call is used unless the start moved the task (not final, right model):
   *     a start that finds the task final (cancelled, or finished by another attempt), or that
   *     fails, aborts the early call and drops it (the actor is told CANCEL): no result, no
   *     state, no charge. The one cost: a task cancelled in the instant between its job's
   *     pickup and its start may be computed by the replica (as one cancelled a moment after
   *     its start is) — it is never stored, announced or charged.
   *   - the capture (durable) waits for the start; the final state is announced after the
   *     capture and after SCHEDULED + RUNNING (sent again first if they failed): a subscriber
   *     sees every state in order (execute-task.ts).
   *   - a generation (tokens announced as they come) starts after RUNNING is announced.
   * The abort switch is registered before the start, so a cancellation heard meanwhile is kept.
   */
  private async run(run: TaskRun, attempt: number, slot: Slot): Promise<void> {
    const { input } = run;
    const scope = this.attemptScope(run.taskId);
    const early: EarlyCall | undefined =
      input === undefined
        ? undefined
        : (deployment, lease) =>
            deployment.call<InferResult>("infer", { inputs: input }, scope.callOptions(lease));
    let started: Started | null = null;
    try {
      started = await this.begin(run, attempt, early, scope.abort);
      if (!started) return; // gone, or final: the early call (if any) is aborted below
      await this.execute(started, scope, slot);
    } finally {
      // A start not written yet never is, once the attempt has ended.
      void started?.deferred?.settle();
      scope.end();
    }
  }

  /**
   * One attempt's switches: its abort (registered for cancelTask at once, so a cancellation
   * heard before the start is kept), its calls' options, and the replica that served it. end():
   * nothing the attempt sent outlives it — above all, an early call whose start found the task
   * final, or failed, is aborted and its answer dropped. (A call that ended: no-op.)
   */
  private attemptScope(taskId: string) {
    const abort = new AbortController();
    this.running.set(taskId, abort);
    let served: ActorInfo | undefined;
    return {
      callOptions: (lease: ReplicaLease) => ({
        lease,
        timeoutMs: this.opts.taskTimeoutMs,
        signal: abort.signal,
        traceId: taskId,
        onReplica: (replica: ActorInfo) => {
          served = replica;
        },
      }),
      servedBy: () => served,
      abort: () => abort.abort(ATTEMPT_ABORTED),
      end: () => {
        abort.abort(ATTEMPT_ENDED);
        if (this.running.get(taskId) === abort) this.running.delete(taskId);
      },
    };
  }

  private execute(
    started: Started,
    scope: ReturnType<Dispatcher["attemptScope"]>,
    slot: Slot,
  ): Promise<void> {
    return executeTask(started, {
      orm: this.opts.orm,
      events: this.opts.events,
      platformFeeBps: this.opts.platformFeeBps,
      taskTimeoutMs: this.opts.taskTimeoutMs,
      capture: this.writes.capture,
      providerOf: (nodeId) => this.providerOf(nodeId),
      announce: (id, status, at, message) => this.announce(id, status, at, message),
      callOptions: scope.callOptions,
      servedBy: scope.servedBy,
      callEnded: slot.callEnded,
    });
  }

  /** Who owns a node (cached briefly: a node's owner does not change under a running task). */
  private async providerOf(nodeId: string): Promise<string> {
    const hit = this.owners.get(nodeId);
    if (hit && Date.now() - hit.at < OWNER_TTL_MS) return hit.providerId;
    const node = await this.opts.orm.em.fork().findOne(Node, nodeId);
    if (!node) throw new UnrecoverableError(`node ${nodeId} is not registered to a provider`);
    this.owners.set(nodeId, { providerId: node.provider.id, at: Date.now() });
    return node.provider.id;
  }

  private async deploymentFor(model: Model): Promise<ModelDeployment> {
    const deployment = await this.opts.deployments.handle(model.manifest);
    this.ready.set(model.id, deployment);
    return deployment;
  }

  private async announce(taskId: string, status: TaskStatus, at?: Date, message?: string): Promise<void> {
    await this.opts.events.publish({ taskId, status, at: (at ?? new Date()).toISOString(), message });
  }
}
