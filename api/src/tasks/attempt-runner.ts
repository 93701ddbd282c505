import { isClusterError, type ReplicaLease } from "@neurogrid/cluster";
import { type ActorInfo, TaskStatus } from "@neurogrid/schema";
import { AttemptScope, runningOn } from "./attempt-scope.js";
import { type Started, settleStarted } from "./attempt-settle.js";
import type { AttemptRequest, AttemptRunnerDeps } from "./attempt-types.js";
import { deferStart } from "./deferred-start.js";
import type { ModelDeployment } from "./model-deployments.js";
import { UnownedNodeError } from "./node-owners.js";
import { UnknownModelError } from "./ready-deployments.js";
import type { StartedTask } from "./start-statement.js";
import { taskCallOf } from "./task-call.js";
import { startedEvents } from "./task-events.js";
import { InvalidOutputError, type TimedAnswer, timedCall } from "./task-output.js";
import type { TaskCharge } from "./task-queue.js";
import type { TaskRef } from "./task-ref.js";

/**
 * The attempt runner: the one way a held task runs. Everything that runs tasks is a caller of
 * `run` — the queue's dispatcher (dispatcher.ts), a start in the api that accepted the task and
 * its backlog (local-start.ts), the OpenAI endpoint — with the task's store, its deployments,
 * its announcements and its clock passed in. One attempt, as the lifecycle (task-lifecycle.ts)
 * says:
 *
 *   start     the model's deployment at hand: a replica leased, the task QUEUED -> RUNNING there
 *             in one statement (SCHEDULED and RUNNING announced in one round trip); when the
 *             attempt carries the input, the call is sent while that statement is in flight and
 *             its answer used only if the task did start (early call); priced per call and
 *             carrying its charge too, its start is written by its capture unless the call
 *             outlasts startWriteDelayMs (deferred-start.ts). Not at hand: SCHEDULED first, the
 *             deployment got (or applied), a replica leased, then RUNNING.
 *   call      its task kind's method (task-call.ts: `infer`, `ocr`, `speech`), or `generate` for a
 *             model priced per output token (each token announced
 *             and given to `onToken` as it comes: run-generation.ts); what is charged is measured
 *             here, never taken from the provider's report: the call's time on this side for a
 *             per-millisecond model, the tokens received for a per-token one; an `infer` answer
 *             that is not the model's declared output fails the task for good (refunded) and is
 *             recorded against the node (task-output.ts)
 *   settle    complete / cutShort: the result and the capture in one statement; the final state
 *             announced after it (attempt-settle.ts)
 *   failure   bad input, a cancellation or an unknown model fails for good, as does the last
 *             attempt: refund, FAILED announced; any other error is returned, for the caller to
 *             retry (BullMQ, or the queue for a local start)
 *
 * Every start is of a task the store holds: the store's start is guarded by the lifecycle's open
 * states, and a task is written only by its hold. The early call is the one thing sent before
 * the start statement: of a task already held, its answer dropped (the call aborted) unless the
 * start moved the task. cancel(): cancelTask's signal aborts the call; a generation stops
 * within one step and is charged the tokens it produced.
 */
export class AttemptRunner {
  /** Attempts under way here, by task: cancel() aborts one. */
  readonly #running = new Map<string, AttemptScope>();
  readonly #deps: AttemptRunnerDeps;

  constructor(deps: AttemptRunnerDeps) {
    this.#deps = deps;
  }

  /** Whether this process has the model's deployment at hand (a task of it starts at once). */
  knows(modelId: string): boolean {
    return this.#deps.deployments.known(modelId) !== undefined;
  }

  /** Ends spot checks whose process died (verification/verifier.ts); nothing without a verifier. */
  async sweepChecks(): Promise<void> {
    await this.#deps.verifier?.sweep();
  }

  cancel(taskId: string): void {
    this.#running.get(taskId)?.abort();
  }

  /** Resolves to the error to retry, or undefined when the task is final or not this attempt's. */
  async run(req: AttemptRequest): Promise<Error | undefined> {
    // A call moved to another incarnation is recorded there first: only its answer is captured.
    const recordMove = (replica: ActorInfo) =>
      this.#deps.store.start({ taskId: req.taskId, attempts: req.attempt, running: runningOn(replica) });
    const scope = new AttemptScope(
      req.taskId,
      this.#deps.taskTimeoutMs,
      this.#running,
      req.signal,
      recordMove,
    );
    let started: Started | null = null;
    try {
      try {
        started = await this.#begin(req, scope);
        if (started) await settleStarted(started, req, scope, this.#deps);
      } finally {
        // A start not written yet never is, once the attempt has ended.
        void started?.deferred?.settle();
        scope.end();
      }
      return undefined;
    } catch (err) {
      return this.#failed(req, started?.task, err);
    }
  }

  /** A failure for good (bad input, cancelled, unknown model, the last attempt) refunds here. */
  async #failed(req: AttemptRequest, task: TaskRef | undefined, err: unknown): Promise<Error | undefined> {
    const message = err instanceof Error ? err.message : String(err);
    const permanent =
      err instanceof UnknownModelError ||
      err instanceof UnownedNodeError ||
      err instanceof InvalidOutputError ||
      (isClusterError(err) && (err.code === "INVALID_ARGUMENT" || err.code === "CANCELLED"));
    if (!permanent && !req.lastAttempt) return err instanceof Error ? err : new Error(message);
    const ref = task ?? chargedRef(req) ?? (await this.#deps.taskRef(req.taskId));
    const at = ref && (await this.#deps.store.refund({ task: ref, status: "FAILED", error: message }));
    if (at) {
      await this.#deps.events.publish({
        taskId: req.taskId,
        status: TaskStatus.FAILED,
        at: at.toISOString(),
        message,
      });
    }
    return undefined;
  }

  async #begin(req: AttemptRequest, scope: AttemptScope): Promise<Started | null> {
    const known = this.#deps.deployments.known(req.modelId);
    if (known) {
      const lease = await this.#leaseOn(known);
      const manifest = this.#deps.deployments.manifestOf(req.modelId as string);
      const call = req.input && manifest && taskCallOf(manifest, req.input);
      const sent = call
        ? timedCall(() => known.call<unknown>(call.method, call.args, scope.callOptions(lease)))
        : undefined;
      // Awaited once started, or dropped (its call aborted by scope.end) when the start finds nothing.
      sent?.catch(() => {});
      // Per call only: a per-millisecond task cancelled while RUNNING pays for its time so far,
      // which needs its start stored from the start.
      if (sent && req.input && req.charge?.pricing.unit === "call" && this.#deps.startWriteDelayMs > 0) {
        return this.#deferred(req, req.input, req.charge, known, lease, sent, scope);
      }
      return this.#holding(lease, async () => {
        const running = runningOn(scope.servedBy(lease.replica));
        const task = await this.#deps.store.start({ taskId: req.taskId, attempts: req.attempt, running });
        if (!task || task.modelId !== req.modelId) return null; // final, gone (or not this model)
        const announced = this.#deps.events.publishAll(startedEvents(req.taskId, task.at));
        announced.catch(() => {});
        return { task, deployment: known, lease, announced, sent };
      });
    }
    const task = await this.#deps.store.start({ taskId: req.taskId, attempts: req.attempt });
    if (!task) return null;
    await this.#announce(req.taskId, TaskStatus.SCHEDULED, task.at);
    const deployment = await this.#deps.deployments.forModel(task.modelId);
    const lease = await this.#leaseOn(deployment);
    return this.#holding(lease, async () => {
      const running = runningOn(scope.servedBy(lease.replica));
      const moved = await this.#deps.store.start({ taskId: req.taskId, attempts: req.attempt, running });
      if (!moved) return null; // cancelled (or finished elsewhere) before it started
      await this.#announce(req.taskId, TaskStatus.RUNNING, moved.at);
      return { task: { ...task, at: moved.at }, deployment, lease, announced: Promise.resolve() };
    });
  }

  /** A start written only if the call outlasts startWriteDelayMs, else with the capture. */
  #deferred(
    req: AttemptRequest,
    input: Record<string, unknown>,
    charge: TaskCharge,
    deployment: ModelDeployment,
    lease: ReplicaLease,
    sent: Promise<TimedAnswer<unknown>>,
    scope: AttemptScope,
  ): Started {
    const { taskId } = req;
    const modelId = req.modelId as string;
    const task: StartedTask = {
      id: taskId,
      accountId: charge.accountId,
      modelId,
      input,
      pricing: charge.pricing,
      maxPrice: BigInt(charge.maxPrice),
      verify: charge.verify === true,
      at: new Date(),
    };
    const deferred = deferStart({
      attempts: req.attempt,
      delayMs: this.#deps.startWriteDelayMs,
      write: async () => {
        const running = runningOn(scope.servedBy(lease.replica));
        const stored = await this.#deps.store.start({ taskId, attempts: req.attempt, running, at: task.at });
        return stored && stored.modelId === modelId ? stored : null;
      },
      announce: (t) => this.#deps.events.publishAll(startedEvents(taskId, t.at)),
      onFinal: () => scope.abort(),
      log: (m) => this.#deps.log?.(`attempt ${taskId}: ${m}`),
    });
    return { task, deployment, lease, announced: Promise.resolve(), sent, deferred };
  }

  /** A replica of the deployment whose node has a known provider (it will be credited). */
  async #leaseOn(deployment: ModelDeployment): Promise<ReplicaLease> {
    const lease = await deployment.lease({ timeoutMs: this.#deps.taskTimeoutMs });
    try {
      await this.#deps.providerOf(lease.replica.nodeId);
      return lease;
    } catch (err) {
      lease.release();
      throw err;
    }
  }

  /** Runs `work` holding the lease; releases it if `work` fails or gives up (null). */
  async #holding<T>(lease: ReplicaLease, work: () => Promise<T | null>): Promise<T | null> {
    let result: T | null = null;
    try {
      result = await work();
      return result;
    } finally {
      if (result === null) lease.release();
    }
  }

  #announce(taskId: string, status: TaskStatus, at: Date): Promise<void> {
    return this.#deps.events.publish({ taskId, status, at: at.toISOString() });
  }
}

/** The refund's task as the attempt's job carries it (no read). */
function chargedRef(req: AttemptRequest): TaskRef | undefined {
  const c = req.charge;
  return (
    c && {
      id: req.taskId,
      accountId: c.accountId,
      pricing: c.pricing,
      maxPrice: BigInt(c.maxPrice),
      verify: c.verify === true,
    }
  );
}
