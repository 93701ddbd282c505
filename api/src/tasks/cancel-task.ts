import type { EntityManager } from "@mikro-orm/postgresql";
import { isFinalTaskStatus, TaskStatus } from "@neurogrid/schema";
import { type Account, Node, Task } from "../db/entities/index.js";
import { ApiError, notFound } from "../errors.js";
import type { TaskEventBus } from "./task-events.js";
import type { TaskQueue } from "./task-queue.js";
import { pricingOfTask } from "./task-ref.js";
import type { TaskStore } from "./task-store.js";

/**
 * cancelTask: a task not yet final is cancelled and its escrow refunded, except for what ran:
 * per-call prices charge nothing for a call that did not complete; a per-millisecond model that
 * was RUNNING is charged its time so far (Nosana's price x min(runtime, timeout)). Its queued job
 * is removed; a dispatcher running it hears the cancellation through Redis and aborts the actor
 * call. A generating task (priced per output token) is stopped and settled by its dispatcher,
 * which charges the tokens produced (cancelGeneration). "Completed" and "cancelled" exclude each other: both write only a task that is not final
 * yet (the lifecycle's guard, task-lifecycle.ts), and the ledger has one capture or refund per task.
 */
export async function cancelTask(
  em: EntityManager,
  deps: { queue: TaskQueue; events: TaskEventBus; store: TaskStore; config: { platformFeeBps: number } },
  account: Account,
  taskId: string,
): Promise<Task> {
  const task = await em.findOne(Task, taskId);
  if (!task || (account.role !== "admin" && task.account.id !== account.id)) throw notFound(`task ${taskId}`);
  if (isFinalTaskStatus(task.status))
    throw new ApiError("CONFLICT", `task ${taskId} is already ${task.status}`);
  const reason = `cancelled by ${account.name}`;
  if (task.status === TaskStatus.RUNNING && pricingOfTask(task).unit === "output_token") {
    const settled = await cancelGeneration(deps, taskId);
    if (settled) {
      const now = await em.fork().findOneOrFail(Task, taskId, { populate: ["model"] });
      // It may have finished on its own meanwhile.
      if (now.status !== TaskStatus.CANCELLED)
        throw new ApiError("CONFLICT", `task ${taskId} is already ${now.status}`);
      return now;
    }
  }
  const ref = { id: task.id, accountId: task.account.id, maxPrice: task.maxPrice };
  const at =
    (await chargeWhatRan(em, deps.store, task, reason, deps.config.platformFeeBps)) ??
    (await deps.store.refund({ task: ref, status: TaskStatus.CANCELLED, error: reason }));
  if (!at) {
    const now = await em.fork().findOneOrFail(Task, taskId);
    throw new ApiError("CONFLICT", `task ${taskId} is already ${now.status}`);
  }
  await deps.queue.remove(taskId);
  await deps.events.requestCancel(taskId);
  await deps.events.publish({ taskId, status: TaskStatus.CANCELLED, at: at.toISOString(), message: reason });
  return em.fork().findOneOrFail(Task, taskId, { populate: ["model"] });
}

/**
 * A generating task is settled by the dispatcher that runs it: only it knows how many tokens
 * were produced. Ask it to stop (it stops within one step and settles CANCELLED, charging
 * those tokens) and wait for the task's final state; if none comes in time (no dispatcher
 * holds the task), false: the caller cancels it here, refunding the whole escrow.
 */
async function cancelGeneration(
  deps: { events: TaskEventBus },
  taskId: string,
  waitMs = GENERATION_CANCEL_WAIT_MS,
): Promise<boolean> {
  let resolveFinal: () => void = () => {};
  const final = new Promise<void>((resolve) => {
    resolveFinal = resolve;
  });
  const stop = await deps.events.listen(taskId, (event) => {
    if (isFinalTaskStatus(event.status)) resolveFinal();
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await deps.events.requestCancel(taskId);
    return await Promise.race([
      final.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), waitMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    stop();
  }
}

/** How long cancelTask waits for the dispatcher to settle a generating task. */
const GENERATION_CANCEL_WAIT_MS = 5_000;

/**
 * A RUNNING task on a per-millisecond model pays for the time it has run (since RUNNING, at most
 * its maxUnits) and its provider is credited; anything else is refunded whole (null here).
 */
async function chargeWhatRan(
  em: EntityManager,
  store: TaskStore,
  task: Task,
  reason: string,
  platformFeeBps: number,
): Promise<Date | null> {
  if (task.status !== TaskStatus.RUNNING || !task.startedAt || !task.nodeId) return null;
  const pricing = pricingOfTask(task);
  if (pricing.unit !== "compute_ms") return null;
  const node = await em.findOne(Node, task.nodeId);
  if (!node) return null;
  const ranMs = Date.now() - task.startedAt.getTime();
  return store.capture({
    task: { id: task.id, accountId: task.account.id, pricing, maxPrice: task.maxPrice },
    status: TaskStatus.CANCELLED,
    error: reason,
    result: {},
    usage: { completed: false, computeMs: ranMs },
    executionProvider: task.executionProvider ?? "unknown",
    inferenceMs: ranMs,
    nodeId: task.nodeId,
    providerId: node.provider.id,
    platformFeeBps,
  });
}
