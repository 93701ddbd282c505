import { setTimeout as sleep } from "node:timers/promises";
import type { MikroORM } from "@mikro-orm/postgresql";
import type { Submitters } from "./chaos-submitters.js";

/**
 * Watching a chaos run's tasks from the database: a progress line, and the wait until every
 * task is final.
 */

/** Well beyond a task's 8 attempts with their backoff (about 25 s) and a few job locks. */
const STALL_MS = 60_000;

/** Seconds since `t`, one decimal. */
export const since = (t: number) => ((Date.now() - t) / 1000).toFixed(1);

export async function progress(
  orm: MikroORM,
  subs: Submitters,
  tasks: number,
  startedAt: number,
): Promise<string> {
  const [row] = await orm.em.fork().execute<{ completed: string; failed: string; open: string }[]>(
    `select count(*) filter (where status = 'COMPLETED') as completed,
              count(*) filter (where status in ('FAILED', 'CANCELLED')) as failed,
              count(*) filter (where status in ('QUEUED', 'SCHEDULED', 'RUNNING')) as open from tasks`,
  );
  return `chaos: ${since(startedAt)} s: ${subs.answered}/${tasks} submitted, ${row?.completed} completed, ${row?.failed} failed, ${row?.open} open`;
}

/**
 * Until every task in the database is final and there are as many as were answered; or the run
 * is over; or no task has become final for STALL_MS (a task that nothing will ever run again
 * would otherwise hold the run until its deadline).
 */
export async function untilAllFinal(
  orm: MikroORM,
  expected: number,
  over: () => boolean,
  log: (line: string) => void,
): Promise<void> {
  let lastOpen = Number.POSITIVE_INFINITY;
  let lastChange = Date.now();
  while (!over()) {
    const [row] = await orm.em.fork().execute<{ total: string; open: string }[]>(
      `select count(*) as total,
              count(*) filter (where status in ('QUEUED', 'SCHEDULED', 'RUNNING')) as open from tasks`,
    );
    const open = Number(row?.open);
    if (open === 0 && Number(row?.total) >= expected) return;
    if (open < lastOpen) [lastOpen, lastChange] = [open, Date.now()];
    if (Date.now() - lastChange > STALL_MS) {
      log(`chaos: no task became final for ${STALL_MS / 1000} s; ${open} still open`);
      return;
    }
    await sleep(250);
  }
}
