import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import { type ActorHandle, type ClusterClient, isClusterError } from "@neurogrid/cluster";
import { type ActorSpec, TaskStatus } from "@neurogrid/schema";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { type Model, Node, Task } from "../db/entities/index.js";
import { modelActorSpec } from "./model-actor-spec.js";
import { modelById } from "./model-cache.js";
import { advanceTask, beginTask, completeTask, failTask, type StartedTask } from "./settle.js";
import type { TaskEventBus } from "./task-events.js";
import { TASK_QUEUE, type TaskJobData, type TaskQueue } from "./task-queue.js";

/**
 * The dispatcher: a BullMQ worker that runs each task on a model actor.
 *
 *   job(taskId) -> task final? done.
 *               -> SCHEDULED: get-or-create the model's actor through the cluster client
 *               -> the node's provider must be known (it is credited)
 *               -> RUNNING: call the actor's own process directly (`infer`)
 *               -> COMPLETED: result + capture in one statement (settle.ts)
 *   Once a model's actor and its node's provider are known, a task of that model (its job names
 *   the model) goes QUEUED -> RUNNING in one statement; SCHEDULED and RUNNING are both still
 *   announced (one Redis round trip), so a taskProgress subscriber sees every state. A task
 *   costs the dispatcher two SQL statements: start (which also reads the task) and capture.
 *   error: bad input (INVALID_ARGUMENT) fails for good at once; anything else is retried by
 *   BullMQ up to `attempts`, and the last attempt fails the task and refunds its escrow.
 *
 * Actor handles are cached by actor name, so the head is asked once per model, not per task;
 * a handle whose process is gone (UNAVAILABLE) is dropped and looked up again.
 */
const OWNER_TTL_MS = 30_000;

export interface DispatcherOptions {
  orm: MikroORM;
  /** Only get-or-create is needed (tests give a fake). */
  cluster: Pick<ClusterClient, "getOrCreateActor">;
  events: TaskEventBus;
  queue: TaskQueue;
  redisUrl: string;
  prefix: string;
  concurrency: number;
  platformFeeBps: number;
  taskTimeoutMs: number;
  jobLockMs: number;
  modelCacheDir?: string | undefined;
  log?: (msg: string) => void;
}

interface InferResult {
  outputs: Record<string, unknown>;
  /** Streaming (generative) models report the tokens they produced. */
  outputTokens?: number;
  executionProvider: string;
  inferenceMs: number;
}

export class Dispatcher {
  private readonly worker: Worker<TaskJobData>;
  private readonly handles = new Map<string, Promise<ActorHandle>>();
  /** The handles of `handles` that have resolved, by actor name. */
  private readonly ready = new Map<string, ActorHandle>();
  private readonly specs = new Map<string, ActorSpec>();
  private readonly connection: Redis;
  private readonly owners = new Map<string, { providerId: string; at: number }>();
  /** Running tasks' abort switches, pulled by cancelTask through Redis. */
  private readonly running = new Map<string, AbortController>();
  private stopListening: (() => void) | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly opts: DispatcherOptions) {
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
  }

  /** Re-enqueues unfinished tasks (a crash between commit and enqueue), then starts working. */
  async start(): Promise<void> {
    await this.sweep(0);
    this.stopListening = await this.opts.events.onCancel((taskId) => this.running.get(taskId)?.abort());
    void this.worker.run();
    await this.worker.waitUntilReady();
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
   * Every unfinished task older than `minAgeMs` must have a live job: an api that died between
   * its commit and its enqueue left none, and a job that ended (its attempts spent by crashes)
   * while its task is still open is replaced. Adding a job whose id exists is a no-op, so
   * sweeping is safe from any number of dispatchers.
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
    for (const task of open) await this.opts.queue.ensureJob(task.id, task.priority);
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.stopListening?.();
    await this.worker.close();
    this.connection.disconnect();
  }

  private async process(job: Job<TaskJobData>): Promise<void> {
    const { taskId, modelId } = job.data;
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      await this.run(taskId, modelId, job.attemptsMade + 1);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const permanent =
        err instanceof UnrecoverableError ||
        (isClusterError(err) && (err.code === "INVALID_ARGUMENT" || err.code === "CANCELLED"));
      if (permanent || lastAttempt) {
        const failed = await failTask(this.opts.orm.em.fork(), taskId, message);
        if (failed) await this.announce(taskId, TaskStatus.FAILED, failed.finishedAt, message);
        return;
      }
      throw err;
    }
  }

  /**
   * Starts the task: when its model's actor and that node's provider are already known (every
   * task but a model's first), QUEUED -> RUNNING in one statement, both states announced in one
   * round trip; otherwise SCHEDULED first, then the actor is got (or created), then RUNNING.
   */
  private async begin(
    taskId: string,
    modelId: string | undefined,
    attempt: number,
  ): Promise<{ task: StartedTask; actor: ActorHandle; providerId: string } | null> {
    const em = this.opts.orm.em.fork();
    const known = modelId ? await this.knownActor(em, modelId) : undefined;
    if (known) {
      const { actor, providerId } = known;
      const task = await beginTask(em, taskId, attempt, {
        nodeId: actor.info.nodeId,
        actorId: actor.info.actorId,
      });
      if (!task) return null;
      // Another model than the job said (it cannot be, but never run a task on the wrong one).
      if (task.modelId !== modelId) throw new Error(`task ${taskId} is not of model ${modelId}`);
      const at = task.at.toISOString();
      await this.opts.events.publishAll([
        { taskId, status: TaskStatus.SCHEDULED, at },
        { taskId, status: TaskStatus.RUNNING, at },
      ]);
      return { task, actor, providerId };
    }
    const task = await beginTask(em, taskId, attempt);
    if (!task) return null; // gone, or final (cancelled, or finished by another attempt)
    await this.announce(taskId, TaskStatus.SCHEDULED, task.at);
    const model = await modelById(em, task.modelId);
    if (!model) throw new UnrecoverableError(`task ${taskId} has no model ${task.modelId}`);
    const actor = await this.actorFor(model);
    const providerId = await this.providerOf(actor.info.nodeId);
    if (!providerId)
      throw new UnrecoverableError(`node ${actor.info.nodeId} is not registered to a provider`);
    const running = await advanceTask(em, taskId, TaskStatus.RUNNING, {
      nodeId: actor.info.nodeId,
      actorId: actor.info.actorId,
    });
    if (!running) return null; // cancelled (or finished elsewhere) before it started
    await this.announce(taskId, TaskStatus.RUNNING, running);
    return { task, actor, providerId };
  }

  private async run(taskId: string, modelId: string | undefined, attempt: number): Promise<void> {
    const started = await this.begin(taskId, modelId, attempt);
    if (!started) return;
    const { task, actor, providerId } = started;
    const ref = { id: task.id, accountId: task.accountId, pricing: task.pricing, maxPrice: task.maxPrice };
    const abort = new AbortController();
    this.running.set(task.id, abort);
    let out: InferResult;
    try {
      out = await actor.call<InferResult>(
        "infer",
        { inputs: task.input },
        { timeoutMs: this.opts.taskTimeoutMs, signal: abort.signal, traceId: task.id },
      );
    } catch (err) {
      if (isClusterError(err) && (err.code === "UNAVAILABLE" || err.code === "NOT_FOUND")) {
        this.forget(actor.info.name);
      }
      if (isClusterError(err) && err.code === "DEADLINE_EXCEEDED") {
        // The model ran for the whole time budget: the task ends here, charged for what ran
        // (price x min(runtime, timeout) for a per-millisecond model; nothing per call), and
        // is not retried: its budget is spent.
        const at = await completeTask(
          this.opts.orm.em.fork(),
          ref,
          {
            status: "FAILED",
            error: `timed out after ${this.opts.taskTimeoutMs} ms`,
            result: {},
            usage: { completed: false, computeMs: this.opts.taskTimeoutMs },
            executionProvider: "unknown",
            inferenceMs: this.opts.taskTimeoutMs,
            nodeId: actor.info.nodeId,
            providerId,
          },
          this.opts.platformFeeBps,
        );
        if (at)
          await this.announce(
            task.id,
            TaskStatus.FAILED,
            at,
            `timed out after ${this.opts.taskTimeoutMs} ms`,
          );
        return;
      }
      throw err;
    } finally {
      this.running.delete(task.id);
    }
    const done = await completeTask(
      this.opts.orm.em.fork(),
      ref,
      {
        result: out.outputs,
        usage: { completed: true, computeMs: out.inferenceMs, outputTokens: out.outputTokens },
        executionProvider: out.executionProvider,
        inferenceMs: out.inferenceMs,
        nodeId: actor.info.nodeId,
        providerId,
      },
      this.opts.platformFeeBps,
    );
    if (done) await this.announce(task.id, TaskStatus.COMPLETED, done);
  }

  /** The model's actor and its node's provider, if both are at hand without asking anyone. */
  private async knownActor(
    em: EntityManager,
    modelId: string,
  ): Promise<{ actor: ActorHandle; providerId: string } | undefined> {
    const model = await modelById(em, modelId);
    if (!model) return undefined;
    const actor = this.ready.get(this.specOf(model).name);
    if (!actor) return undefined;
    const owner = this.owners.get(actor.info.nodeId);
    if (!owner || Date.now() - owner.at >= OWNER_TTL_MS) return undefined;
    return { actor, providerId: owner.providerId };
  }

  /** Who owns a node (cached briefly: a node's owner does not change under a running task). */
  private async providerOf(nodeId: string): Promise<string | undefined> {
    const hit = this.owners.get(nodeId);
    if (hit && Date.now() - hit.at < OWNER_TTL_MS) return hit.providerId;
    const node = await this.opts.orm.em.fork().findOne(Node, nodeId);
    if (node) this.owners.set(nodeId, { providerId: node.provider.id, at: Date.now() });
    return node?.provider.id;
  }

  private actorFor(model: Model): Promise<ActorHandle> {
    const spec = this.specOf(model);
    let handle = this.handles.get(spec.name);
    if (!handle) {
      const pending = this.opts.cluster.getOrCreateActor(spec, { timeoutMs: this.opts.taskTimeoutMs });
      handle = pending;
      pending.then(
        (actor) => {
          if (this.handles.get(spec.name) === pending) this.ready.set(spec.name, actor);
        },
        () => {
          if (this.handles.get(spec.name) === pending) this.forget(spec.name);
        },
      );
      this.handles.set(spec.name, handle);
    }
    return handle;
  }

  /** Drops a cached actor handle (its process is gone): the next task looks it up again. */
  private forget(name: string): void {
    this.handles.delete(name);
    this.ready.delete(name);
  }

  /** The actor spec of a model (cached: the manifest of a model id never changes). */
  private specOf(model: Model): ActorSpec {
    let spec = this.specs.get(model.id);
    if (!spec) {
      spec = modelActorSpec(model.manifest, this.opts.modelCacheDir);
      this.specs.set(model.id, spec);
    }
    return spec;
  }

  private async announce(taskId: string, status: TaskStatus, at?: Date, message?: string): Promise<void> {
    await this.opts.events.publish({ taskId, status, at: (at ?? new Date()).toISOString(), message });
  }
}
