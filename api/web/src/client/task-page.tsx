import { useEffect, useMemo } from "react";
import { useQuery } from "urql";
import { formatNeuro, formatTime } from "../money.js";
import { TASK_PAGE, type TaskPageData } from "./client-operations.js";
import { previewOfInput } from "./media-file.js";
import { TaskTimeline } from "./task-timeline.js";

/**
 * One task's page, reached from the tasks list: what was asked (model, when, escrow), its
 * timeline (live while it runs), and once final its result, cost breakdown, node and
 * execution provider; an OCR or speech-detection task's result drawn over the image or clip sent.
 */
export function TaskPage({ taskId, onMoneyMoved }: { taskId: string; onMoneyMoved: () => void }) {
  const [{ data, error }] = useQuery<TaskPageData>({ query: TASK_PAGE, variables: { id: taskId } });
  const task = data?.task;
  const media = useMemo(() => (task ? previewOfInput(task.kind, task.input) : {}), [task]);
  useEffect(() => {
    document.getElementById("task-page-title")?.focus();
  }, []);
  return (
    <section className="card wide" aria-labelledby="task-page-title">
      <p>
        <a href="#/">← All tasks</a>
      </p>
      <h2 id="task-page-title" tabIndex={-1}>
        {task ? `${task.model}@${task.modelVersion}` : "Task"}
      </h2>
      {error ? <p className="error">{error.message}</p> : null}
      {task ? (
        <dl className="figures">
          <div>
            <dt>Submitted</dt>
            <dd>{formatTime(task.createdAt)}</dd>
          </div>
          <div>
            <dt>Held in escrow</dt>
            <dd>{formatNeuro(task.maxPrice)}</dd>
          </div>
        </dl>
      ) : null}
      <TaskTimeline key={taskId} taskId={taskId} onFinal={onMoneyMoved} media={media} />
    </section>
  );
}
