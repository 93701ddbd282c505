import { compareTaskResults } from "@neurogrid/cluster/models";
import type { ModelManifest } from "@neurogrid/schema";

/**
 * Who is at fault in a dispute: the task's own run (node A), the check (node B, another
 * provider's) and the referee (node C, a third provider's) compared under the model's rule
 * (task-result-comparison.ts). The run that disagrees with the other two is at fault:
 *
 *   referee agrees with   at fault   the client's result
 *   the check only        A          the referee's (it replaces A's)
 *   the task's run only   B          A's, unchanged (it was right)
 *   both (cannot happen unless the rule is not transitive; A and B disagreed) -> treated as
 *                         neither: no fault, A's result unchanged
 *   neither               nobody     A's, unchanged: no two runs agree, so no one is shown
 *                                    wrong; a fault needs two providers against one
 */
export interface Judgement {
  atFault: "task" | "check" | undefined;
  verdict: string;
}

type Rule = Pick<ModelManifest, "comparison" | "outputs" | "task" | "pricing">;

export function judgeDispute(
  manifest: Rule,
  runs: { task: unknown; check: unknown; referee: unknown },
  nodes: { task: string; check: string; referee: string },
): Judgement {
  const withTask = compareTaskResults(manifest, runs.referee, runs.task);
  const withCheck = compareTaskResults(manifest, runs.referee, runs.check);
  if (withCheck.agree && !withTask.agree) {
    return {
      atFault: "task",
      verdict: `${nodes.task} disagrees with ${nodes.check} and ${nodes.referee}: ${withTask.reason}`,
    };
  }
  if (withTask.agree && !withCheck.agree) {
    return {
      atFault: "check",
      verdict: `${nodes.check} disagrees with ${nodes.task} and ${nodes.referee}: ${withCheck.reason}`,
    };
  }
  return { atFault: undefined, verdict: `no two of ${nodes.task}, ${nodes.check}, ${nodes.referee} agree` };
}
