/**
 * Running a task the dispatcher has started (dispatcher.ts) on its leased replica, and settling
 * it: `infer` (or the answer of the call sent ahead of the start), or for a model priced per
 * output token `generate` with each token published as it comes (run-generation.ts); then the
 * result and the capture in one statement (settle.ts, through the dispatcher's group commit),
 * and the final state announced after it. A call that runs out of its time budget
 * (DEADLINE_EXCEEDED) ends the task FAILED, charged for what ran, and is not retried. Every
 * other error goes back to the dispatcher (retried by BullMQ, or failed for good).
 */
import type { MikroORM } from "@mikro-orm/postgresql";
import { type DeploymentCallOptions, isClusterError, type ReplicaLease } from "@neurogrid/cluster";
import { type ActorInfo, TaskStatus } from "@neurogrid/schema";
import type { CaptureRequest } from "../ledger/escrow.js";
import type { DeferredStart } from "./deferred-start.js";
import type { ModelDeployment } from "./model-deployments.js";
import { runGeneration } from "./run-generation.js";
import { completeTask, type StartedTask } from "./settle.js";
import { startedEvents, type TaskEventBus } from "./task-events.js";

export interface InferResult {
  outputs: Record<string, unknown>;
  executionProvider: string;
  inferenceMs: number;
}

export interface Started {
  task: StartedTask;
  deployment: ModelDeployment;
  lease: ReplicaLease;
  /**
   * SCHEDULED and RUNNING on their way to Redis (not awaited before the call): awaited before
   * anything later is announced (tokens, the final state), so a subscriber sees every state in
   * order; the capture does not wait for them.
   */
  announced: Promise<void>;
  /** The call, when it was sent ahead of the start (run()); else made once started. */
  sent?: Promise<InferResult> | undefined;
  /**
   * The start, not written yet (deferred-start.ts): the capture writes it unless it was written
   * meanwhile, and SCHEDULED + RUNNING are announced with the final state unless they were then.
   */
  deferred?: DeferredStart | undefined;
}

export interface ExecuteDeps {
  orm: MikroORM;
  events: TaskEventBus;
  platformFeeBps: number;
  taskTimeoutMs: number;
  /** Writes one capture (the dispatcher's group commit). */
  capture: (r: CaptureRequest) => Promise<boolean>;
  /** The provider who owns a node (credited). */
  providerOf: (nodeId: string) => Promise<string>;
  announce: (taskId: string, status: TaskStatus, at?: Date, message?: string) => Promise<void>;
  /** The options of a call on a leased replica (deadline, the task's abort signal, trace id). */
  callOptions: (lease: ReplicaLease) => DeploymentCallOptions;
  /** The replica that served the call last (a retry may move it), if any. */
  servedBy: () => ActorInfo | undefined;
  /**
   * The call is over (its answer, or its deadline, is in) and the task is about to be settled:
   * the dispatcher gives its slot to the next call (dispatcher.ts).
   */
  callEnded?: () => void;
}

export async function executeTask(started: Started, deps: ExecuteDeps): Promise<void> {
  const { callOptions, servedBy } = deps;
  const { task, deployment, lease, announced, sent, deferred } = started;
  const ref = { id: task.id, accountId: task.accountId, pricing: task.pricing, maxPrice: task.maxPrice };
  // The capture does not wait for SCHEDULED + RUNNING to reach Redis: they went out first, on
  // the connection every later announcement of this process takes (in order), and only the
  // final state's announcement waits for them — sent again first if they failed.
  const announcing = announced.then(
    () => undefined,
    (err: unknown) => err,
  );
  const settle = async (outcome: Omit<Parameters<typeof completeTask>[2], "nodeId" | "providerId">) => {
    deps.callEnded?.();
    const served = servedBy() ?? lease.replica;
    const providerId = await deps.providerOf(served.nodeId);
    // A deferred start still pending is dropped (or, in flight, awaited): the capture writes it.
    const startAnnounced = deferred ? await deferred.settle() : true;
    const start = deferred && {
      at: task.at,
      actorId: served.actorId,
      attempts: deferred.attempts,
      modelId: task.modelId,
    };
    const [at, notAnnounced] = await Promise.all([
      completeTask(
        // Only the ledger accounts' ids (cached) and the dispatcher's capture: no entity work.
        deps.orm.em,
        ref,
        { ...outcome, nodeId: served.nodeId, providerId, started: start },
        deps.platformFeeBps,
        deps.capture,
      ),
      announcing,
    ]);
    if (!at) return;
    const status = (outcome.status ?? TaskStatus.COMPLETED) as TaskStatus;
    if (!startAnnounced || notAnnounced !== undefined) {
      // Every state in one round trip, in order: SCHEDULED, RUNNING, then the final one.
      const final = { taskId: task.id, status, at: at.toISOString() };
      await deps.events.publishAll([
        ...startedEvents(task.id, task.at),
        outcome.error === undefined ? final : { ...final, message: outcome.error },
      ]);
      return;
    }
    await deps.announce(task.id, status, at, outcome.error);
  };
  try {
    if (task.pricing.unit === "output_token") {
      // (A job carries no input for such a model: never an early call here; never run twice.)
      if (sent) throw new Error(`task ${task.id}: an early call for a model priced per output token`);
      await announced; // RUNNING before the first token
      const out = await runGeneration(deployment, task.id, task.input, callOptions(lease), deps.events);
      await settle({
        status: out.status,
        ...(out.error === undefined ? {} : { error: out.error }),
        result: { text: out.text, finishReason: out.finishReason },
        usage: { completed: out.status === "COMPLETED", outputTokens: out.outputTokens },
        executionProvider: out.executionProvider,
        inferenceMs: out.inferenceMs,
      });
      return;
    }
    const out = await (sent ??
      deployment.call<InferResult>("infer", { inputs: task.input }, callOptions(lease)));
    await settle({
      result: out.outputs,
      usage: { completed: true, computeMs: out.inferenceMs },
      executionProvider: out.executionProvider,
      inferenceMs: out.inferenceMs,
    });
  } catch (err) {
    if (!(isClusterError(err) && err.code === "DEADLINE_EXCEEDED")) throw err;
    // The model ran for the whole time budget: the task ends here, charged for what ran
    // (price x min(runtime, timeout) for a per-millisecond model; nothing per call), and is
    // not retried: its budget is spent.
    const error = `timed out after ${deps.taskTimeoutMs} ms`;
    await settle({
      status: "FAILED",
      error,
      result: {},
      usage: { completed: false, computeMs: deps.taskTimeoutMs },
      executionProvider: "unknown",
      inferenceMs: deps.taskTimeoutMs,
    });
  }
}
