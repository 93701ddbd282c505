import type { EntityManager } from "@mikro-orm/postgresql";
import { runPrepared } from "../db/prepared.js";

/** A node's newest faults shown at once, at most. */
const FAULTS_SHOWN = 50;

/**
 * What a provider is shown of each fault of its node: the fault, and for a wrong result the
 * evidence of the dispute: the task's own result (as its node returned it), the checking node's,
 * the referee's, and which node ran each. For a wrong answer to a known-answer task (a canary,
 * an onboarding: node-checks.ts) the evidence is the model, the input, the answer the platform
 * computed from the model's reference, and the node's.
 */
export interface FaultWithEvidence {
  taskId: string | undefined;
  kind: string;
  detail: string;
  at: Date;
  evidence?: {
    taskNode: string | undefined;
    taskResult: unknown;
    checkedBy: string | undefined;
    checkResult: unknown;
    referee: string | undefined;
    refereeResult: unknown;
  };
  knownAnswer?: { model: string; input: unknown; expected: unknown; got: unknown };
}

export async function faultsWithEvidence(em: EntityManager, nodeId: string): Promise<FaultWithEvidence[]> {
  const rows = await runPrepared<{
    task_id: string | null;
    kind: string;
    detail: string;
    created_at: Date | string;
    task_node: string | null;
    task_result: unknown;
    checked_by: string | null;
    check_result: unknown;
    referee: string | null;
    referee_result: unknown;
    verified: boolean;
    model: string | null;
    input: unknown;
    expected: unknown;
    got: unknown;
  }>(
    em,
    "node_faults_with_evidence",
    `select f.task_id, f.kind, f.detail, f.created_at, t.node_id as task_node, v.task_result, v.checked_by,
            v.check_result, v.referee, v.referee_result, v.task_id is not null as verified,
            m.name || '@' || m.version as model, c.input, c.expected, c.got
       from node_faults f
       left join task_verifications v on v.task_id = f.task_id and f.kind = 'wrong_result'
       left join tasks t on t.id = v.task_id
       left join node_checks c on c.id = f.check_id
       left join models m on m.id = c.model_id
      where f.node_id = $1::text order by f.created_at desc limit $2::int`,
    [nodeId, FAULTS_SHOWN],
  );
  return rows.map((r) => ({
    taskId: r.task_id ?? undefined,
    kind: r.kind,
    detail: r.detail,
    at: new Date(r.created_at),
    ...(r.verified
      ? {
          evidence: {
            taskNode: r.task_node ?? undefined,
            taskResult: r.task_result,
            checkedBy: r.checked_by ?? undefined,
            checkResult: r.check_result,
            referee: r.referee ?? undefined,
            refereeResult: r.referee_result,
          },
        }
      : {}),
    ...(r.model !== null
      ? { knownAnswer: { model: r.model, input: r.input, expected: r.expected, got: r.got } }
      : {}),
  }));
}
