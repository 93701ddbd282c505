import { formatTime } from "../money.js";
import { compactJson } from "./compact-json.js";
import type { FaultRow } from "./reputation-operations.js";

const KINDS: Record<string, string> = {
  wrong_result: "wrong result",
  invalid_output: "invalid output",
};

/**
 * One fault of a provider's node: when, which task, what kind; opened, the three runs of the
 * dispute side by side (the node's own marked) and the verdict.
 */
export function FaultItem({ nodeId, fault }: { nodeId: string; fault: FaultRow }) {
  const e = fault.evidence;
  const runs = e
    ? [
        { role: "task's run", node: e.taskNode, result: e.taskResult },
        { role: "check", node: e.checkedBy, result: e.checkResult },
        { role: "referee", node: e.referee, result: e.refereeResult },
      ]
    : [];
  return (
    <li className="fault" data-testid="fault" data-node={nodeId}>
      <details>
        <summary>
          <time dateTime={fault.at}>{formatTime(fault.at)}</time> · <strong>{nodeId}</strong>:{" "}
          {KINDS[fault.kind] ?? fault.kind}
          {fault.taskId ? (
            <>
              {" "}
              on task <code>{fault.taskId.slice(0, 8)}</code>
            </>
          ) : null}
        </summary>
        {runs.length > 0 ? (
          <ul className="plain evidence" aria-label="Evidence">
            {runs.map((r) => (
              <li
                key={r.role}
                data-testid="evidence-run"
                className={r.node === nodeId ? "at-fault" : undefined}
              >
                <span className="muted">
                  {r.role} · {r.node ?? "—"}
                  {r.node === nodeId ? " (this node)" : ""}
                </span>
                <code className="wrap compact">{compactJson(r.result)}</code>
              </li>
            ))}
          </ul>
        ) : null}
        <p data-testid="fault-verdict">
          <span className="muted">Verdict:</span> {fault.detail}
        </p>
      </details>
    </li>
  );
}
