import type { ReplicaLease } from "@neurogrid/cluster";
import { generationResult } from "@neurogrid/cluster/models";
import type { ActorInfo, GenerateItem, ModelManifest } from "@neurogrid/schema";
import type { ModelDeployment } from "../tasks/model-deployments.js";
import { taskAnswerOf, taskCallOf } from "../tasks/task-call.js";

/**
 * One run of a task's input for result verification, on a replica the verifier leased on a node
 * of another provider: the call its kind makes (task-call.ts: `infer` for the output tensors,
 * `speech` for a speech task's segments), its answer made the task's result as an attempt makes
 * it (the same checks and size limit), or `generate` (the whole text, with the task's own seed
 * and limits: its input is the generation's arguments). A retry that would land
 * on a replica the verifier does not accept (the task's own provider) ends the run instead.
 * Nothing is announced: a check is not the task's progress.
 */
class CheckerUnavailableError extends Error {
  override readonly name = "CheckerUnavailableError";
}

export interface CheckRun {
  nodeId: string;
  result: unknown;
}

export async function runCheck(
  deployment: ModelDeployment,
  lease: ReplicaLease,
  task: { id: string; generative: boolean; input: Record<string, unknown> },
  accept: (replica: ActorInfo) => Promise<boolean>,
  timeoutMs: number,
  answer: { manifest: ModelManifest; maxResultChars: number },
): Promise<CheckRun> {
  let nodeId = lease.replica.nodeId;
  const opts = {
    lease,
    timeoutMs,
    traceId: `verify:${task.id}`,
    onReplica: async (replica: ActorInfo) => {
      if (!(await accept(replica)))
        throw new CheckerUnavailableError(`replica ${replica.actorId} may not check`);
      nodeId = replica.nodeId;
    },
  };
  if (!task.generative) {
    const call = taskCallOf(answer.manifest, task.input);
    const out = await deployment.call<unknown>(call.method, call.args, opts);
    return { nodeId, result: taskAnswerOf(answer.manifest, out, answer.maxResultChars).result };
  }
  return {
    nodeId,
    result: await generationResult(deployment.stream<GenerateItem>("generate", task.input, opts)),
  };
}
