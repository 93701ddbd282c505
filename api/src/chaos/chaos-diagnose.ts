import type { MikroORM } from "@mikro-orm/postgresql";
import { Queue } from "bullmq";
import { TASK_QUEUE } from "../tasks/task-queue.js";

/**
 * Why tasks were lost, for a run that failed: each task still open (QUEUED, SCHEDULED,
 * RUNNING) with its attempts, node, age, and the state of its BullMQ job (job id = task id):
 * "no job" means nothing will ever run it.
 */
export async function describeOpenTasks(
  orm: MikroORM,
  opts: { redisUrl: string; bullPrefix: string; startedAt: number; limit?: number },
): Promise<string[]> {
  const open = await orm.em.fork().execute<
    {
      id: string;
      idempotency_key: string | null;
      status: string;
      attempts: number;
      node_id: string | null;
      created_at: Date;
    }[]
  >(
    `select id, idempotency_key, status, attempts, node_id, created_at from tasks
      where status in ('QUEUED', 'SCHEDULED', 'RUNNING') order by created_at limit ?`,
    [opts.limit ?? 20],
  );
  if (open.length === 0) return [];
  const queue = new Queue(TASK_QUEUE, { connection: { url: opts.redisUrl }, prefix: opts.bullPrefix });
  try {
    const lines: string[] = [];
    for (const t of open) {
      const job = await queue.getJob(t.id);
      const state = job ? await job.getState() : "no job";
      const detail = job
        ? ` (attempts made ${job.attemptsMade}${job.failedReason ? `, ${job.failedReason}` : ""})`
        : "";
      const at = ((new Date(t.created_at).getTime() - opts.startedAt) / 1000).toFixed(1);
      lines.push(
        `task ${t.id} (${t.idempotency_key}) ${t.status}, attempts ${t.attempts}, node ${t.node_id ?? "-"}, ` +
          `created at ${at} s; job: ${state}${detail}`,
      );
    }
    return lines;
  } finally {
    await queue.close();
  }
}

/**
 * Why a final task's money is wrong, for a run that failed: each COMPLETED task without exactly
 * one capture and no refund, and each FAILED or CANCELLED one without exactly one refund and no
 * capture, with its error, attempts, node and the ledger movements it has.
 */
export async function describeUnsettledTasks(orm: MikroORM, limit = 20): Promise<string[]> {
  const rows = await orm.em.fork().execute<
    {
      id: string;
      status: string;
      attempts: number;
      node_id: string | null;
      error: string | null;
      moves: string;
    }[]
  >(
    `select t.id, t.status, t.attempts, t.node_id, t.error,
            coalesce(string_agg(l.kind, ',' order by l.created_at), '') as moves
       from tasks t left join ledger_transactions l on l.task_id = t.id
      where t.status in ('COMPLETED', 'FAILED', 'CANCELLED')
      group by t.id
     having (t.status = 'COMPLETED' and (count(*) filter (where l.kind = 'capture') <> 1
                                        or count(*) filter (where l.kind = 'refund') > 0))
         or (t.status <> 'COMPLETED' and (count(*) filter (where l.kind = 'refund') <> 1
                                          or count(*) filter (where l.kind = 'capture') > 0))
      limit ?`,
    [limit],
  );
  return rows.map(
    (t) =>
      `task ${t.id} ${t.status}, attempts ${t.attempts}, node ${t.node_id ?? "-"}, ` +
      `error ${JSON.stringify(t.error)}; ledger: ${t.moves || "nothing"}`,
  );
}
