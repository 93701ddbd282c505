import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { runPrepared } from "../db/prepared.js";
import type { Leg } from "./movements.js";

/**
 * A task's end: ONE statement writes a group of tasks final, each with its movement — a capture
 * (COMPLETED, or FAILED / CANCELLED charged for what ran) or a refund (FAILED / CANCELLED,
 * nothing charged) — for the tasks still open (the lifecycle's guard, `open`); a task already
 * final is left alone and moves no money. A single task is a group of one; the attempt runner's
 * captures and refunds arriving together are one group (tasks/task-store.ts).
 *
 * Row by row: one capture or refund per task (unique (task_id, kind); and the guard: a task
 * captured is final, so never refunded after, and the other way round), only for the escrow the
 * task holds (a row naming another `escrow` settles nothing: its legs release what the task's
 * hold did not put there, so they would leave the rest held for a final task), legs balanced per
 * ledger transaction (the statement trigger), accounts locked in id order before they move, no
 * negative client or provider balance (the check). The accounts are locked LAST (after the tasks,
 * ledger transactions and entries are written): they are held for the balance updates and the
 * commit only. Balances move once per account, by the sum of its legs.
 *
 * The tasks are also named by an id array ($4): a prepared statement's generic plan made while
 * the table was small would otherwise join the recordset to a sequential scan of every task and
 * keep that plan; `id = any(...)` is always an index look-up.
 *
 * Fencing: a row that names the actor incarnation whose answer it settles (`servedBy`) settles
 * only a task that records that incarnation (actor_id and actor_epoch, written by the attempt's
 * start) or none: an answer from an incarnation the task has moved away from (a later attempt
 * started elsewhere, or the cluster restarted the actor as a newer epoch) moves nothing, like a
 * row naming another escrow, and the task is left to the attempt that holds it.
 *
 * A deferred start (tasks/deferred-start.ts) rides along: `started` writes the attempt's start
 * (kept where one was written) and settles the task only if it is of that model. So does a spot
 * check's draw (verification/verifier.ts): a `sampled` capture writes the task SAMPLED with its
 * COMPLETED, so no reader ever sees it completed and unchecked in between.
 *
 * A capture's provider share goes to the provider's pending account (its legs: task-store.ts);
 * the task is marked `earnings_pending` while it has one, for the window's release
 * (verification-money.ts).
 */
export interface SettleRow {
  taskId: string;
  movement: "capture" | "refund";
  status: "COMPLETED" | "FAILED" | "CANCELLED";
  error?: string | undefined;
  /** A capture's outcome (a refund leaves these as they were). */
  result?: unknown;
  executionProvider?: string | undefined;
  inferenceMs?: number | undefined;
  nodeId?: string | undefined;
  /** The escrow the task's hold put aside, which the legs release (its row's max_price). */
  escrow: bigint;
  cost: bigint;
  units: bigint;
  fee?: bigint | undefined;
  providerEarning?: bigint | undefined;
  legs: Leg[];
  memo: string;
  now: Date;
  started?: { at: Date; actorId: string; epoch?: number; attempts: number; modelId: string } | undefined;
  /** Drawn for a spot check: written SAMPLED with the capture (COMPLETED only). */
  sampled?: boolean | undefined;
  /** The actor incarnation that answered (ActorInfo.actorId and epoch); unchecked when absent. */
  servedBy?: { actorId: string; epoch: number } | undefined;
}

/** In order: whether each row settled its task (false: it was final already). */
export async function settleTasks(em: EntityManager, open: string, rows: SettleRow[]): Promise<boolean[]> {
  const data = rows.map((r) => ({
    task_id: r.taskId,
    kind: r.movement,
    status: r.status,
    error: r.error ?? null,
    result: r.result ?? null,
    execution_provider: r.executionProvider ?? null,
    inference_ms: r.inferenceMs ?? null,
    node_id: r.nodeId ?? null,
    escrow: r.escrow.toString(),
    cost: r.cost.toString(),
    units: r.units.toString(),
    fee: r.fee?.toString() ?? null,
    provider_earning: r.providerEarning?.toString() ?? null,
    finished_at: r.now.toISOString(),
    tx_id: randomUUID(),
    memo: r.memo,
    started_at: r.started?.at.toISOString() ?? null,
    actor_id: r.started?.actorId ?? null,
    attempts: r.started?.attempts ?? null,
    model_id: r.started?.modelId ?? null,
    sampled: r.sampled === true && r.status === "COMPLETED",
    actor_epoch: r.started?.epoch ?? null,
    served_actor_id: r.servedBy?.actorId ?? null,
    served_epoch: r.servedBy?.epoch ?? null,
    legs: r.legs
      .filter((l) => l.amount !== 0n)
      .map((l) => ({ account_id: l.accountId, amount: l.amount.toString() })),
  }));
  const accounts = [...new Set(rows.flatMap((r) => r.legs.map((l) => l.accountId)))].sort();
  const settled = await runPrepared<{ id: string }>(
    em,
    "tasks_settle",
    `with r as (
       select * from jsonb_to_recordset($1::jsonb) as r(task_id uuid, kind text, status text, error text, result jsonb,
         execution_provider text, inference_ms double precision, node_id text, escrow bigint, cost bigint, units bigint, fee bigint,
         provider_earning bigint, finished_at timestamptz, tx_id uuid, memo text, started_at timestamptz, actor_id text,
         attempts int, model_id uuid, sampled boolean, legs jsonb, actor_epoch int, served_actor_id text, served_epoch int)
     ), t as (
       update tasks x set status = r.status, error = r.error, result = coalesce(r.result, x.result),
              execution_provider = coalesce(r.execution_provider, x.execution_provider),
              inference_ms = coalesce(r.inference_ms, x.inference_ms), node_id = coalesce(r.node_id, x.node_id),
              cost = r.cost, units = r.units, platform_fee = coalesce(r.fee, x.platform_fee),
              provider_earning = coalesce(r.provider_earning, x.provider_earning), finished_at = r.finished_at,
              earnings_pending = r.kind = 'capture' and coalesce(r.provider_earning, 0) > 0,
              scheduled_at = coalesce(x.scheduled_at, r.started_at), started_at = coalesce(x.started_at, r.started_at),
              actor_id = coalesce(r.actor_id, x.actor_id), attempts = greatest(x.attempts, coalesce(r.attempts, 0)),
              actor_epoch = case when r.actor_id is null then x.actor_epoch else r.actor_epoch end
         from r where x.id = any($4::uuid[]) and x.id = r.task_id and x.status = any($5::text[])
          and x.max_price = r.escrow
          and (r.served_actor_id is null or x.actor_id is null
               or (x.actor_id = r.served_actor_id and coalesce(x.actor_epoch, r.served_epoch) = r.served_epoch))
          and (r.model_id is null or x.model_id = r.model_id) returning x.id, r.kind, r.tx_id, r.memo, r.legs, r.sampled
     ), sampled as (
       insert into task_verifications (task_id, status, sampled_at, updated_at)
       select t.id, 'SAMPLED', $3::timestamptz, $3::timestamptz from t where t.sampled
       on conflict (task_id) do nothing
     ), mv as (
       insert into ledger_transactions (id, kind, task_id, memo, created_at)
       select t.tx_id, t.kind, t.id, t.memo, $3::timestamptz from t returning id, task_id
     ), entries as (
       insert into ledger_entries (transaction_id, account_id, amount, created_at)
       select t.tx_id, l.account_id, l.amount, $3::timestamptz from t,
         lateral jsonb_to_recordset(t.legs) as l(account_id uuid, amount bigint)
       returning account_id, amount
     ), lk as (
       select id from ledger_accounts where id = any($2::uuid[]) and (select count(*) from entries) >= 0
        order by id for update
     ), balances as (
       update ledger_accounts a set balance = a.balance + s.amount
         from (select account_id, sum(amount) as amount from entries group by account_id) s
        where a.id = s.account_id and (select count(*) from lk) >= 0 returning a.id
     )
     select id from mv where (select count(*) from balances) >= 0`,
    [
      JSON.stringify(data),
      `{${accounts.join(",")}}`,
      new Date(),
      `{${rows.map((r) => r.taskId).join(",")}}`,
      open,
    ],
  );
  // By ledger transaction, not by task: one task twice in a group (two attempts ending at once)
  // is updated once, with one of its rows, and only that row settled it.
  const done = new Set(settled.map((s) => s.id));
  return data.map((d) => done.has(d.tx_id));
}
