import { useEffect, useRef } from "react";
import { useQuery, useSubscription } from "urql";
import { formatTime } from "../money.js";
import {
  type ProgressEvent,
  TASK_DETAIL,
  TASK_PROGRESS,
  type TaskDetailData,
  type TaskProgressData,
} from "./client-operations.js";
import type { MediaPreview } from "./media-file.js";
import { TaskFacts } from "./task-facts.js";
import { TaskVerification } from "./task-verification.js";

const FINAL = new Set(["COMPLETED", "FAILED", "CANCELLED"]);

/** The states seen so far, a streaming model's tokens by position, and verification's moves. */
interface Progress {
  states: ProgressEvent[];
  tokens: string[];
  checks: string[];
}
const NOTHING_YET: Progress = { states: [], tokens: [], checks: [] };
const NO_MEDIA: MediaPreview = {};

function addEvent(seen: Progress = NOTHING_YET, next: TaskProgressData): Progress {
  const e = next.taskProgress;
  if (e.token !== null && e.tokenIndex !== null) {
    if (seen.tokens[e.tokenIndex] !== undefined) return seen;
    const tokens = [...seen.tokens];
    tokens[e.tokenIndex] = e.token;
    return { ...seen, tokens };
  }
  // A verification move is not a new state; the first may come with COMPLETED itself.
  if (e.verification !== null) {
    const checks = seen.checks.includes(e.verification) ? seen.checks : [...seen.checks, e.verification];
    const states = seen.states.some((s) => s.status === e.status) ? seen.states : [...seen.states, e];
    return { ...seen, states, checks };
  }
  return seen.states.some((s) => s.status === e.status && s.at === e.at)
    ? seen
    : { ...seen, states: [...seen.states, e] };
}

/**
 * A task's states as the subscription delivers them (it catches up first), a streaming model's
 * text as its tokens come, then what it cost and where it ran, and its result's verification as
 * it moves.
 */
export function TaskTimeline({
  taskId,
  onFinal,
  media = NO_MEDIA,
}: {
  taskId: string;
  onFinal: () => void;
  /** The image or clip the task was given, to draw its typed result over. */
  media?: MediaPreview;
}) {
  const [{ data: progress = NOTHING_YET, error }] = useSubscription<TaskProgressData, Progress>(
    { query: TASK_PROGRESS, variables: { taskId } },
    addEvent,
  );
  const { states, tokens, checks } = progress;
  const status = states.at(-1)?.status;
  const final = status !== undefined && FINAL.has(status);
  const [detail, reloadDetail] = useQuery<TaskDetailData>({
    query: TASK_DETAIL,
    variables: { id: taskId },
    pause: !final,
    requestPolicy: "network-only",
  });
  // A referee's run replaces the result of a node found wrong: read the task again when it settles.
  const settled = checks.includes("RESOLVED");
  useEffect(() => {
    if (settled) reloadDetail({ requestPolicy: "network-only" });
  }, [settled, reloadDetail]);
  const told = useRef(false);
  useEffect(() => {
    if (final && !told.current) {
      told.current = true;
      onFinal();
    }
  }, [final, onFinal]);
  const task = detail.data?.task;

  return (
    <div className="timeline" aria-live="polite">
      <h3>
        Task <code>{taskId}</code>
      </h3>
      <p>
        Status: <strong data-testid="task-status">{status ?? "submitted"}</strong>
      </p>
      {error ? <p className="error">{error.message}</p> : null}
      <ol aria-label="Task timeline">
        {states.map((e) => (
          <li key={`${e.status}-${e.at}`}>
            <span className={`state state-${e.status.toLowerCase()}`}>{e.status}</span>{" "}
            <time dateTime={e.at}>{formatTime(e.at)}</time>
            {e.message ? <span className="muted"> — {e.message}</span> : null}
          </li>
        ))}
      </ol>
      {tokens.length > 0 ? (
        <p className="streamed" data-testid="task-stream" data-tokens={tokens.length}>
          {tokens.join("")}
        </p>
      ) : null}
      {status === "COMPLETED" ? <TaskVerification taskId={taskId} move={checks.at(-1)} /> : null}
      {task ? <TaskFacts task={task} media={media} /> : null}
    </div>
  );
}
