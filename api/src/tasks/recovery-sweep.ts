import type { MikroORM } from "@mikro-orm/postgresql";
import { Task } from "../db/entities/index.js";
import { OPEN_STATES } from "./task-lifecycle.js";
import type { TaskQueue } from "./task-queue.js";

/** Open tasks one sweep looks at, at most. */
const SWEEP_LIMIT = 1000;

/**
 * Every open task older than `minAgeMs` must have a live job or a live local lease: an api that
 * died between its hold and its enqueue left none, a process that died during a local start left
 * a lease that expires (local-start.ts), and a job that ended (its attempts spent by crashes)
 * while its task is still open is replaced. Adding a job whose id exists is a no-op, so sweeping
 * is safe from any number of dispatchers.
 */
export async function sweepOpenTasks(orm: MikroORM, queue: TaskQueue, minAgeMs: number): Promise<void> {
  const open = await orm.em
    .fork()
    .find(
      Task,
      { status: { $in: [...OPEN_STATES] }, createdAt: { $lt: new Date(Date.now() - minAgeMs) } },
      { fields: ["id", "priority"], limit: SWEEP_LIMIT },
    );
  await queue.pruneLeases();
  await queue.ensureJobs(open.map((t) => ({ taskId: t.id, priority: t.priority })));
}
