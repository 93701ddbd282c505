import type { EntityManager } from "@mikro-orm/postgresql";
import { isFinalTaskStatus, TaskStatus } from "@neurogrid/schema";
import { type Account, Task } from "../db/entities/index.js";
import { ApiError, notFound } from "../errors.js";
import { failTask } from "./settle.js";
import type { TaskEventBus } from "./task-events.js";
import type { TaskQueue } from "./task-queue.js";

/**
 * cancelTask: a task not yet final is cancelled and its escrow refunded (per-call prices charge
 * nothing for a call that did not complete). Its queued job is removed; a dispatcher running it
 * hears the cancellation through Redis and aborts the actor call (the row lock in settle.ts makes
 * "completed" and "cancelled" exclusive: whichever commits first wins). A final task is CONFLICT.
 */
export async function cancelTask(
  em: EntityManager,
  deps: { queue: TaskQueue; events: TaskEventBus },
  account: Account,
  taskId: string,
): Promise<Task> {
  const task = await em.findOne(Task, taskId);
  if (!task || (account.role !== "admin" && task.account.id !== account.id)) throw notFound(`task ${taskId}`);
  if (isFinalTaskStatus(task.status))
    throw new ApiError("CONFLICT", `task ${taskId} is already ${task.status}`);
  const cancelled = await failTask(em.fork(), taskId, `cancelled by ${account.name}`, TaskStatus.CANCELLED);
  if (!cancelled) {
    const now = await em.fork().findOneOrFail(Task, taskId);
    throw new ApiError("CONFLICT", `task ${taskId} is already ${now.status}`);
  }
  await deps.queue.remove(taskId);
  await deps.events.requestCancel(taskId);
  await deps.events.publish({
    taskId,
    status: TaskStatus.CANCELLED,
    at: (cancelled.finishedAt ?? new Date()).toISOString(),
    message: cancelled.error,
  });
  return em.fork().findOneOrFail(Task, taskId, { populate: ["model"] });
}
