import { isClusterError, type ReplicaLease } from "@neurogrid/cluster";
import { TaskStatus, VerificationStatus } from "@neurogrid/schema";
import { captureSplit } from "../ledger/movements.js";
import type { AttemptScope } from "./attempt-scope.js";
import type { AttemptRequest, AttemptRunnerDeps } from "./attempt-types.js";
import type { DeferredStart } from "./deferred-start.js";
import type { ModelDeployment } from "./model-deployments.js";
import { runGeneration } from "./run-generation.js";
import type { StartedTask } from "./start-statement.js";
import { type TaskAnswer, taskAnswerOf, taskCallOf } from "./task-call.js";
import { startedEvents } from "./task-events.js";
import { InvalidOutputError, type TimedAnswer, timedCall } from "./task-output.js";
import type { CaptureRequest } from "./task-store.js";

/**
 * The second half of an attempt (attempt-runner.ts): the call on the leased replica — its task
 * kind's method (task-call.ts; or the answer of the call sent ahead of the start), or `generate` with each token announced as
 * it comes — then the capture (complete, or cutShort) and the final state announced after it. A
 * call that runs out of its time budget (DEADLINE_EXCEEDED) ends the task FAILED, charged for
 * what ran, and is not retried. Every other error goes back to the runner.
 */
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
  /** The call, when it was sent ahead of the start; else made once started. */
  sent?: Promise<TimedAnswer<unknown>> | undefined;
  /** The start, not written yet (deferred-start.ts): the capture writes it unless written meanwhile. */
  deferred?: DeferredStart | undefined;
}

type Outcome = Pick<
  CaptureRequest,
  "status" | "error" | "result" | "usage" | "executionProvider" | "inferenceMs"
>;

export async function settleStarted(
  started: Started,
  req: AttemptRequest,
  scope: AttemptScope,
  deps: AttemptRunnerDeps,
): Promise<void> {
  const { task, deployment, lease, announced, sent, deferred } = started;
  // The final state's announcement waits for SCHEDULED + RUNNING (sent again first if they failed).
  const announcing = announced.then(
    () => undefined,
    (err: unknown) => err,
  );
  const settle = async (outcome: Outcome) => {
    req.onCallEnded?.();
    const served = scope.servedBy(lease.replica);
    const providerId = await deps.providerOf(served.nodeId);
    // A completed task drawn for a spot check is written SAMPLED by its capture, and its
    // COMPLETED announced so; the check runs after the announcement (verification/verifier.ts).
    const completed =
      outcome.status === TaskStatus.COMPLETED
        ? {
            id: task.id,
            modelId: task.modelId,
            generative: task.pricing.unit === "output_token",
            input: task.input,
            result: outcome.result,
            nodeId: served.nodeId,
            verify: task.verify === true,
          }
        : undefined;
    const drawn =
      completed !== undefined && deps.verifier !== undefined && (await deps.verifier.draw(completed));
    // A deferred start still pending is dropped (or, in flight, awaited): the capture writes it.
    const startAnnounced = deferred ? await deferred.settle() : true;
    const [at, notAnnounced] = await Promise.all([
      deps.store.capture({
        ...outcome,
        task,
        nodeId: served.nodeId,
        providerId,
        platformFeeBps: deps.platformFeeBps,
        sampled: drawn,
        started: deferred && {
          at: task.at,
          actorId: served.actorId,
          epoch: served.epoch ?? 0,
          attempts: deferred.attempts,
          modelId: task.modelId,
        },
        // Fenced: moves money only while the task records this incarnation as its own.
        servedBy: { actorId: served.actorId, epoch: served.epoch ?? 0 },
      }),
      announcing,
    ]);
    if (!at) return;
    req.onSettled?.({
      status: outcome.status,
      startedAt: task.at,
      finishedAt: at,
      result: outcome.result,
      executionProvider: outcome.executionProvider,
      inferenceMs: outcome.inferenceMs,
      nodeId: served.nodeId,
      actorId: served.actorId,
      split: captureSplit(task.pricing, outcome.usage, deps.platformFeeBps),
    });
    const final = {
      taskId: task.id,
      status: outcome.status as TaskStatus,
      at: at.toISOString(),
      ...(drawn ? { verification: VerificationStatus.SAMPLED } : {}),
    };
    const last = outcome.error === undefined ? final : { ...final, message: outcome.error };
    // Every state in one round trip, in order, when the start's were not announced.
    const events =
      !startAnnounced || notAnnounced !== undefined ? [...startedEvents(task.id, task.at), last] : [last];
    await deps.events.publishAll(events);
    if (drawn && completed) {
      void deps.verifier?.check(completed).catch((err: unknown) => {
        deps.log?.(`verification of task ${task.id}: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
  };
  try {
    if (task.pricing.unit === "output_token") {
      // (An attempt carries no input for such a model: never an early call here; never run twice.)
      if (sent) throw new Error(`task ${task.id}: an early call for a model priced per output token`);
      await announced; // RUNNING before the first token
      const out = await runGeneration(
        deployment,
        task.id,
        task.input,
        scope.callOptions(lease),
        deps.events,
        req.onToken,
      );
      await settle({
        status: out.status,
        error: out.error,
        result: { text: out.text, finishReason: out.finishReason },
        usage: { completed: out.status === "COMPLETED", outputTokens: out.outputTokens },
        executionProvider: out.executionProvider,
        inferenceMs: out.inferenceMs,
      });
      req.onGeneration?.(out);
      return;
    }
    const manifest = deps.deployments.manifestOf(task.modelId);
    if (!manifest) throw new Error(`task ${task.id}: model ${task.modelId} has no deployment at hand`);
    const call = taskCallOf(manifest, task.input);
    const { value, ms } = await (sent ??
      timedCall(() => deployment.call<unknown>(call.method, call.args, scope.callOptions(lease))));
    let out: TaskAnswer;
    try {
      out = taskAnswerOf(manifest, value, deps.maxResultChars);
    } catch (err) {
      if (!(err instanceof InvalidOutputError)) throw err;
      const { nodeId } = scope.servedBy(lease.replica);
      await deps.faults.record({ nodeId, taskId: task.id, kind: "invalid_output", detail: err.message });
      throw err;
    }
    await settle({
      status: TaskStatus.COMPLETED,
      result: out.result,
      // Charged for the time this side waited for the answer, not the time the provider reports.
      usage: { completed: true, computeMs: ms },
      executionProvider: out.executionProvider,
      inferenceMs: out.inferenceMs,
    });
  } catch (err) {
    if (!(isClusterError(err) && err.code === "DEADLINE_EXCEEDED")) throw err;
    // The model ran for the whole time budget: charged for what ran (price x min(runtime,
    // timeout) for a per-millisecond model; nothing per call), and not retried.
    await settle({
      status: TaskStatus.FAILED,
      error: `timed out after ${deps.taskTimeoutMs} ms`,
      result: {},
      usage: { completed: false, computeMs: deps.taskTimeoutMs },
      executionProvider: "unknown",
      inferenceMs: deps.taskTimeoutMs,
    });
  }
}
