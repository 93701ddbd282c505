import type { EntityManager } from "@mikro-orm/postgresql";
import { type Pricing, TaskStatus } from "@neurogrid/schema";
import { runPrepared } from "../db/prepared.js";
import { pricingOfTask } from "./task-ref.js";

/**
 * An attempt's start (task-lifecycle.ts `schedule` / `start`): ONE statement moves a group of open
 * tasks to SCHEDULED, or straight to RUNNING on the replica when the caller has it (then
 * scheduled_at = started_at: the two states are one moment; a task SCHEDULED earlier keeps its
 * scheduled_at), and reads back what running them
 * needs. A task final or gone is left alone (null). It moves no money. A start on a replica
 * records the actor incarnation (actor_id, actor_epoch) whose answer alone may be captured.
 *
 * Its commit does not wait for the WAL flush (synchronous_commit off for this one transaction): a
 * crash that lost it leaves the task open, which the recovery sweep and the job's retry already
 * handle; every later synchronous commit (the capture) flushes it too. The ids also go in as an
 * array, so the tasks are found by primary key whatever plan the prepared statement keeps
 * (ledger/settle-statement.ts).
 */
export interface StartRequest {
  taskId: string;
  attempts: number;
  /**
   * The replica it runs on, when the caller already has it: straight on to RUNNING. `epoch`: the
   * replica's incarnation (ActorInfo.epoch), which the capture must be answered by.
   */
  running?: { nodeId: string; actorId: string; epoch?: number | undefined } | undefined;
  /** When it started (default: the statement's time): a start written after the fact. */
  at?: Date | undefined;
}

/** What running a started task needs (read back by the statement that started it). */
export interface StartedTask {
  id: string;
  accountId: string;
  modelId: string;
  input: Record<string, unknown>;
  pricing: Pricing;
  maxPrice: bigint;
  /** The client asked for a check of it (`verify` on submit). */
  verify?: boolean | undefined;
  at: Date;
}

export async function startTasks(
  em: EntityManager,
  open: string,
  reqs: StartRequest[],
): Promise<(StartedTask | null)[]> {
  const now = new Date();
  const rows = await runPrepared<{
    id: string;
    account_id: string;
    model_id: string;
    input: Record<string, unknown>;
    pricing: Pricing | null;
    max_price: string;
    verify: boolean;
  }>(
    em,
    "tasks_start",
    `with async_commit as (select set_config('synchronous_commit', 'off', true)),
     r as (select * from jsonb_to_recordset($1::jsonb) as r(id uuid, status text, node_id text, actor_id text, attempts int,
             at timestamptz, actor_epoch int))
     update tasks x set status = r.status,
            scheduled_at = case when x.status = $6::text and r.status = $3::text then x.scheduled_at
                                else coalesce(r.at, $2::timestamptz) end,
            started_at = case when r.status = $3::text then coalesce(r.at, $2::timestamptz) else x.started_at end,
            node_id = coalesce(r.node_id, x.node_id), actor_id = coalesce(r.actor_id, x.actor_id), attempts = r.attempts,
            actor_epoch = case when r.actor_id is null then x.actor_epoch else r.actor_epoch end
       from r
      where x.id = any($5::uuid[]) and x.id = r.id and x.status = any($4::text[])
        and exists (select 1 from async_commit)
      returning x.id, x.account_id, x.model_id, x.input, x.pricing, x.max_price, x.verify`,
    [
      JSON.stringify(
        reqs.map((q) => ({
          id: q.taskId,
          status: q.running ? TaskStatus.RUNNING : TaskStatus.SCHEDULED,
          node_id: q.running?.nodeId ?? null,
          actor_id: q.running?.actorId ?? null,
          attempts: q.attempts,
          at: q.at?.toISOString() ?? null,
          actor_epoch: q.running?.epoch ?? null,
        })),
      ),
      now,
      TaskStatus.RUNNING,
      open,
      `{${reqs.map((q) => q.taskId).join(",")}}`,
      TaskStatus.SCHEDULED,
    ],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return reqs.map((q) => {
    const row = byId.get(q.taskId);
    if (!row) return null;
    const maxPrice = BigInt(row.max_price);
    return {
      id: q.taskId,
      accountId: row.account_id,
      modelId: row.model_id,
      input: row.input,
      pricing: pricingOfTask({ pricing: row.pricing ?? undefined, maxPrice }),
      maxPrice,
      verify: row.verify,
      at: q.at ?? now,
    };
  });
}
