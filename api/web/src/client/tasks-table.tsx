import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { formatNeuro, formatTime } from "../money.js";
import { TASKS, type TasksData } from "./client-operations.js";
import { taskHref } from "./use-hash-route.js";

const PAGE_SIZE = 10;
const STATUSES = ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"];

/** Your tasks, newest first, a page at a time (Relay cursors; earlier pages kept for Back). */
export function TasksTable({ refreshKey }: { refreshKey: number }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [status, setStatus] = useState("");
  const after = cursors.at(-1) ?? null;
  const [{ data, error, fetching }, reexecute] = useQuery<TasksData>({
    query: TASKS,
    variables: { first: PAGE_SIZE, after, filter: status ? { status: [status] } : null },
  });
  useEffect(() => {
    if (refreshKey > 0) reexecute({ requestPolicy: "network-only" });
  }, [refreshKey, reexecute]);
  const page = data?.tasks;
  const firstRow = (cursors.length - 1) * PAGE_SIZE;

  return (
    <section className="card wide" aria-labelledby="tasks-title">
      <h2 id="tasks-title">Tasks</h2>
      {error ? <p className="error">{error.message}</p> : null}
      <label className="inline">
        Status
        <select
          value={status}
          onChange={(e) => {
            setStatus(e.target.value);
            setCursors([null]);
          }}
        >
          <option value="">any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Your tasks, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Submitted</th>
              <th scope="col">Model</th>
              <th scope="col">Status</th>
              <th scope="col">Cost</th>
            </tr>
          </thead>
          <tbody>
            {page?.edges.map(({ node }) => (
              <tr key={node.id}>
                <td>{formatTime(node.createdAt)}</td>
                <td>
                  <a href={taskHref(node.id)}>{node.model}</a>
                </td>
                <td>
                  <span className={`state state-${node.status.toLowerCase()}`}>{node.status}</span>
                </td>
                <td>{formatNeuro(node.cost?.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Task pages">
        <button
          type="button"
          className="secondary"
          disabled={cursors.length === 1 || fetching}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Newer
        </button>
        <span>
          {page && page.totalCount > 0
            ? `${firstRow + 1}–${firstRow + page.edges.length} of ${page.totalCount}`
            : "no tasks yet"}
        </span>
        <button
          type="button"
          className="secondary"
          disabled={!page?.pageInfo.hasNextPage || fetching}
          onClick={() => setCursors((c) => [...c, page?.pageInfo.endCursor ?? null])}
        >
          Older
        </button>
      </nav>
    </section>
  );
}
