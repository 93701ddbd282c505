import { useEffect } from "react";
import { useQuery } from "urql";
import { TASK_VERIFICATION, type TaskVerificationData } from "./client-operations.js";

/** How far along each status is, so a move announced live is not undone by an older read. */
const STEP: Record<string, number> = { UNCHECKED: 0, SAMPLED: 1, DISPUTED: 2, VERIFIED: 3, RESOLVED: 3 };
const MEANING: Record<string, string> = {
  UNCHECKED: "not drawn for a check",
  SAMPLED: "being re-run on another provider's node",
  VERIFIED: "another provider's node got the same result",
  DISPUTED: "the check disagreed; a referee's run decides",
  RESOLVED: "settled by a referee's run",
};

/**
 * A completed task's result verification: its status (moved on live by taskProgress's
 * `verification` events, `move`), the nodes that checked and refereed it, and the verdict.
 */
export function TaskVerification({ taskId, move }: { taskId: string; move: string | undefined }) {
  const [{ data, error }, reload] = useQuery<TaskVerificationData>({
    query: TASK_VERIFICATION,
    variables: { id: taskId },
    requestPolicy: "network-only",
  });
  useEffect(() => {
    if (move) reload({ requestPolicy: "network-only" });
  }, [move, reload]);
  const v = data?.task.verification;
  if (!v) return error ? <p className="error">{error.message}</p> : null;
  const status = move && (STEP[move] ?? 0) > (STEP[v.status] ?? 0) ? move : v.status;
  return (
    <div className="verification">
      <p>
        Verification: <strong data-testid="task-verification">{status}</strong>{" "}
        <span className="muted">— {MEANING[status] ?? ""}</span>
      </p>
      {v.checkedBy || v.referee ? (
        <p>
          {v.checkedBy ? (
            <>
              Checked by <code data-testid="task-checked-by">{v.checkedBy}</code>
            </>
          ) : null}
          {v.referee ? (
            <>
              ; refereed by <code data-testid="task-referee">{v.referee}</code>
            </>
          ) : null}
        </p>
      ) : null}
      {v.verdict ? (
        <p className="wrap" data-testid="task-verdict">
          <span className="muted">Verdict:</span> {v.verdict}
        </p>
      ) : null}
    </div>
  );
}
