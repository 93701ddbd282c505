import { isFinalTaskStatus, TaskStatus, VerificationStatus } from "@neurogrid/schema";
import { Task } from "../db/entities/index.js";
import { runPrepared } from "../db/prepared.js";
import { notFound } from "../errors.js";
import { AsyncQueue } from "../tasks/async-queue.js";
import type { TaskProgressEvent } from "../tasks/task-events.js";
import { type VerificationMove, verificationHistory } from "../verification/verification-history.js";
import { isVerificationOpen } from "../verification/verification-lifecycle.js";
import { requireAccess } from "./auth-checker.js";
import type { ApiContext } from "./context.js";
import { isUuid } from "./ids.js";
import { type TaskProgressEventType, taskHistory } from "./task.type.js";

/**
 * The taskProgress stream: listen on the task's Redis channel first, then read the task and
 * replay the states it already passed, then pass on live events. Each status is sent once, in
 * order, and the stream ends after the final state. Checks happen before the stream exists,
 * so a bad key or someone else's task is a plain GraphQL error, not a broken socket.
 * A streaming model's tokens (events with `token`) pass through as they come, each once.
 * Result verification's moves (events with `verification`) follow COMPLETED, each once: the
 * stream stays open past COMPLETED while a check or a dispute is under way (SAMPLED, DISPUTED)
 * and ends at VERIFIED or RESOLVED.
 */
export async function subscribeTaskProgress(
  ctx: ApiContext,
  taskId: string,
): Promise<AsyncIterable<TaskProgressEventType>> {
  // As the `task` query: the scope tasks:read.
  const caller = requireAccess(ctx, "scope:tasks:read");
  const isAdmin = caller.account.role === "admin";
  if (!isUuid(taskId)) throw notFound(`task ${taskId}`);
  const live = new AsyncQueue<TaskProgressEvent>(() => stop());
  const stop = await ctx.services.events.listen(taskId, (event) => live.push(event));
  try {
    const task = await progressOf(ctx, taskId);
    if (!task || (!isAdmin && task.accountId !== caller.account.id)) throw notFound(`task ${taskId}`);
    return stream(task, live, stop);
  } catch (err) {
    stop();
    throw err;
  }
}

/**
 * What the stream replays, read by one plain statement (no entity, no identity map: this runs
 * once per subscription, on the path every client that follows a task takes), prepared once per
 * connection (db/prepared.ts).
 */
type Progress = Task & { accountId: string; verification: VerificationMove[] };

async function progressOf(ctx: ApiContext, taskId: string): Promise<Progress | null> {
  const [row] = await runPrepared<{
    account_id: string;
    status: TaskStatus;
    error: string | null;
    created_at: Date | string;
    scheduled_at: Date | string | null;
    started_at: Date | string | null;
    finished_at: Date | string | null;
    verification: VerificationStatus | null;
    sampled_at: Date | string | null;
    checked_at: Date | string | null;
    resolved_at: Date | string | null;
    updated_at: Date | string | null;
  }>(
    ctx.services.orm.em,
    "task_progress",
    `select t.account_id, t.status, t.error, t.created_at, t.scheduled_at, t.started_at, t.finished_at,
            v.status as verification, v.sampled_at, v.checked_at, v.resolved_at, v.updated_at
       from tasks t left join task_verifications v on v.task_id = t.id where t.id = $1::uuid`,
    [taskId],
  );
  if (!row) return null;
  const date = (v: Date | string | null) => (v === null ? undefined : new Date(v));
  return Object.assign(new Task(), {
    id: taskId,
    accountId: row.account_id,
    status: row.status,
    error: row.error ?? undefined,
    createdAt: new Date(row.created_at),
    scheduledAt: date(row.scheduled_at),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
    verification: verificationHistory(
      row.verification === null
        ? undefined
        : {
            status: row.verification,
            sampledAt: new Date(row.sampled_at ?? row.created_at),
            checkedAt: date(row.checked_at),
            resolvedAt: date(row.resolved_at),
            updatedAt: new Date(row.updated_at ?? row.created_at),
          },
    ),
  });
}

async function* stream(
  task: Progress,
  live: AsyncQueue<TaskProgressEvent>,
  stop: () => void,
): AsyncGenerator<TaskProgressEventType> {
  const seen = new Set<string>();
  try {
    for (const event of taskHistory(task)) {
      seen.add(event.status);
      yield event;
    }
    let final = isFinalTaskStatus(task.status);
    let verification: VerificationStatus = VerificationStatus.UNCHECKED;
    for (const move of task.verification) {
      seen.add(`verification:${move.verification}`);
      verification = move.verification;
      yield { taskId: task.id, status: TaskStatus.COMPLETED, at: move.at, verification: move.verification };
    }
    if (final && !isVerificationOpen(verification)) return;
    for await (const event of live) {
      if (event.token !== undefined) {
        // A streamed token: after RUNNING, before the final state; each index once.
        const key = `token:${event.token.index}`;
        if (seen.has(key) || isFinalTaskStatus(task.status)) continue;
        seen.add(key);
        yield {
          taskId: event.taskId,
          status: event.status,
          at: new Date(event.at),
          token: event.token.text,
          tokenIndex: event.token.index,
        };
        continue;
      }
      // A state, a verification move, or both (a COMPLETED that was sampled as it settled).
      const newStatus = !seen.has(event.status);
      const newVerification =
        event.verification !== undefined && !seen.has(`verification:${event.verification}`);
      if (!newStatus && !newVerification) continue;
      seen.add(event.status);
      if (event.verification !== undefined) {
        seen.add(`verification:${event.verification}`);
        verification = event.verification;
      }
      final ||= isFinalTaskStatus(event.status);
      yield {
        taskId: event.taskId,
        status: event.status,
        at: new Date(event.at),
        message: event.message,
        verification: newVerification ? event.verification : undefined,
      };
      if (final && !isVerificationOpen(verification)) return;
    }
  } finally {
    stop();
  }
}
