import { randomUUID } from "node:crypto";
import type { DeploymentCallOptions } from "@neurogrid/cluster";
import { compareTaskResults, generationResult } from "@neurogrid/cluster/models";
import { type ActorInfo, type GenerateItem, type ModelManifest, taskKindOf } from "@neurogrid/schema";
import type { ModelDeployment } from "../tasks/model-deployments.js";
import { taskAnswerOf, taskCallOf } from "../tasks/task-call.js";
import type { KnownAnswer } from "./known-answers.js";

/**
 * One known-answer task (a canary, or one of an onboarding's) sent to one replica, and judged.
 *
 * Indistinguishable at the actor: it goes through the model's deployment exactly as a task of
 * its kind does (attempt-scope.ts `callOptions`, task-call.ts, run-generation.ts): method `infer`
 * with arguments `{ inputs }`, `generate` with a generation's arguments, or `speech` with a clip
 * and the model's settings, shaped as a client's (known-inputs.ts), a lease on the replica, the task deadline,
 * an abort signal, and a trace id that is a random UUID as a task id is. What reaches the actor's
 * process is the method, the arguments and the trace id, nothing else, so nothing tells it
 * apart from a client's task.
 *
 * The task must run on that replica: a retry the deployment would move to another replica ends
 * the run instead (the answer would not be that node's). A run that does not come back (the
 * replica gone, its deadline passed) is `unanswered`: no verdict on the node.
 */
export type KnownAnswerOutcome =
  | { answered: true; agree: boolean; detail: string; got: unknown }
  | { answered: false; why: string };

class OtherReplicaError extends Error {
  override readonly name = "OtherReplicaError";
}

/** The replica's answer to the known-answer task, as the task's result (task-call.ts). */
async function answerOf(
  deployment: ModelDeployment,
  manifest: ModelManifest,
  known: KnownAnswer,
  call: DeploymentCallOptions,
): Promise<unknown> {
  if (taskKindOf(manifest) === "generate")
    return generationResult(deployment.stream<GenerateItem>("generate", known.input, call));
  const task = taskCallOf(manifest, known.input);
  const answer = await deployment.call<unknown>(task.method, task.args, call);
  // An answer that is not its kind's shape is wrong, as any other wrong answer is.
  try {
    return taskAnswerOf(manifest, answer, Number.MAX_SAFE_INTEGER).result;
  } catch {
    return answer;
  }
}

export async function runKnownAnswer(
  deployment: ModelDeployment,
  manifest: ModelManifest,
  replica: ActorInfo,
  known: KnownAnswer,
  opts: { timeoutMs: number; signal: AbortSignal },
): Promise<KnownAnswerOutcome> {
  const lease = await deployment.leaseWhere((r) => r.actorId === replica.actorId, { refresh: false });
  if (!lease) return { answered: false, why: `replica ${replica.actorId} is not live` };
  let got: unknown;
  try {
    const call = {
      lease,
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      traceId: randomUUID(),
      onReplica: (r: ActorInfo) => {
        if (r.actorId !== replica.actorId) throw new OtherReplicaError(`moved to replica ${r.actorId}`);
      },
    };
    got = await answerOf(deployment, manifest, known, call);
  } catch (err) {
    return { answered: false, why: err instanceof Error ? err.message : String(err) };
  }
  const verdict = compareTaskResults(manifest, known.expected, got);
  return verdict.agree
    ? { answered: true, agree: true, detail: "the known answer", got }
    : {
        answered: true,
        agree: false,
        detail: `a wrong answer to a known-answer task: ${verdict.reason}`,
        got,
      };
}
