import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { runPrepared } from "../db/prepared.js";

/**
 * The two movements every task makes, each as ONE SQL statement in its own implicit
 * transaction, so the client's and provider's account rows are locked for one statement's
 * execution, not for several round trips: that is what lets many tasks of one client and one
 * provider flow at once. Each statement locks its accounts in id order (an InitPlan runs
 * before the balance updates), like every other movement (ledger.ts), so none can deadlock.
 * The hold locks them first (it writes nothing unless the balance covers it); the capture
 * locks them last, after writing the task, its ledger transaction and entries, so that the
 * accounts shared by all of a client's movements are held only for the balance updates and
 * the commit.
 * The database still enforces what ledger.ts documents: each statement's entries balance per
 * ledger transaction (a statement trigger), one hold and one capture per task, no negative client or provider balance.
 */
const arr = (values: (string | bigint)[]) => `{${values.map(String).join(",")}}`;

export interface HoldRequest {
  taskId: string;
  accountId: string;
  modelId: string;
  idempotencyKey: string | null;
  priority: number;
  input: unknown;
  price: bigint;
  /** The pricing the task is submitted under (kept on the task). */
  pricing: unknown;
  availableId: string;
  heldId: string;
  memo: string;
  now: Date;
  /**
   * The model as the caller priced and validated it (from a cache): the hold happens only if
   * the stored manifest is still this one and, with `latest`, no newer version of the name
   * exists; otherwise nothing is written and `stale` says to look the model up again.
   */
  modelCheck?: { manifest: unknown; latest: boolean };
  /**
   * The replica the task starts on at once (a local start, tasks/local-start.ts): the task is
   * written RUNNING there, its first attempt under way (scheduled and started at `now`).
   */
  running?: { nodeId: string; actorId: string } | undefined;
}

/**
 * The hold statements' model check, their first CTE `m` (a row when the model is as the caller
 * priced it: HoldRequest.modelCheck), on parameters $1 to $4 (modelCheckParams); then their
 * accounts `lk`, locked in id order, on $5 (the ids), only if `m` has its row.
 */
export const MODEL_CHECK_AND_LOCK_SQL = `with m as (
       select 1 where not $1::boolean
       union all
       select 1 from models c where c.id = $2::uuid and c.manifest = $3::jsonb
         and (not $4::boolean or not exists (select 1 from models n where n.name = c.name and n.created_at > c.created_at))
     ), lk as (
       select id, balance from ledger_accounts where id = any($5::uuid[]) and exists (select 1 from m) order by id for update
     )`;

/** $1 to $4 of MODEL_CHECK_AND_LOCK_SQL. */
export function modelCheckParams(r: Pick<HoldRequest, "modelCheck" | "modelId">): unknown[] {
  const check = r.modelCheck;
  return [check !== undefined, r.modelId, JSON.stringify(check?.manifest ?? null), check?.latest ?? false];
}

/** A hold statement's outcome (its row: how many moved, the balance seen, whether the model check passed). */
export function holdOutcome(
  moved: boolean,
  row: { balance: string | null; fresh: string } | undefined,
): { held: boolean; balance: bigint; stale: boolean } {
  return { held: moved, balance: BigInt(row?.balance ?? 0), stale: Number(row?.fresh) === 0 };
}

/**
 * Holds the price and writes the task QUEUED (or RUNNING, with `running`), or does nothing:
 * returns the balance it saw (and `stale` when the model check failed).
 */
export async function holdAndCreateTask(
  em: EntityManager,
  r: HoldRequest,
): Promise<{ held: boolean; balance: bigint; stale: boolean }> {
  const [row] = await runPrepared<{ held: string; balance: string; fresh: string }>(
    em,
    "escrow_hold",
    `${MODEL_CHECK_AND_LOCK_SQL}, debit as (
       update ledger_accounts set balance = balance - $6::bigint
        where id = $7::uuid and (select count(*) from lk) = 2 and balance >= $6::bigint returning id
     ), credit as (
       update ledger_accounts set balance = balance + $6::bigint where id = $8::uuid and exists (select 1 from debit) returning id
     ), task as (
       insert into tasks (id, account_id, model_id, idempotency_key, priority, status, input, pricing, max_price, attempts,
                          created_at, scheduled_at, started_at, node_id, actor_id)
       select $9::uuid, $10::uuid, $2::uuid, $11::text, $12::int, $19::text, $13::jsonb, $14::jsonb, $6::bigint, $20::int,
              $15::timestamptz, $21::timestamptz, $21::timestamptz, $22::text, $23::text
        where exists (select 1 from debit) returning id
     ), mv as (
       insert into ledger_transactions (id, kind, task_id, memo, created_at)
       select $16::uuid, 'hold', id, $17::text, $15::timestamptz from task returning id
     ), entries as (
       insert into ledger_entries (transaction_id, account_id, amount, created_at)
       select mv.id, v.account_id, v.amount, $15::timestamptz from mv,
         (select unnest($5::uuid[]) as account_id, unnest($18::bigint[]) as amount) v returning 1
     )
     select (select count(*) from entries) as held, (select balance from lk where id = $7::uuid) as balance,
            (select count(*) from m) as fresh`,
    [
      ...modelCheckParams(r),
      arr([r.availableId, r.heldId]),
      r.price.toString(),
      r.availableId,
      r.heldId,
      r.taskId,
      r.accountId,
      r.idempotencyKey,
      r.priority,
      JSON.stringify(r.input),
      JSON.stringify(r.pricing),
      r.now,
      randomUUID(),
      r.memo,
      arr([-r.price, r.price]),
      r.running ? "RUNNING" : "QUEUED",
      r.running ? 1 : 0,
      r.running ? r.now : null,
      r.running?.nodeId ?? null,
      r.running?.actorId ?? null,
    ],
  );
  return holdOutcome(Number(row?.held) === 2, row);
}

export interface CaptureRequest {
  taskId: string;
  /**
   * COMPLETED; or CANCELLED / FAILED for a run cut short that is charged for what ran (tokens
   * produced, or model time up to the timeout); the rest of the escrow goes back.
   */
  status?: "COMPLETED" | "CANCELLED" | "FAILED";
  error?: string;
  /** The task's final fields (column -> value), written with the capture. */
  result: unknown;
  executionProvider: string;
  inferenceMs: number;
  nodeId: string;
  cost: bigint;
  units: bigint;
  fee: bigint;
  providerEarning: bigint;
  legs: { accountId: string; amount: bigint }[];
  memo: string;
  now: Date;
  /**
   * The attempt's start, when no statement wrote it (tasks/deferred-start.ts): written with the
   * final state (a start written earlier, by this attempt or another, is kept), and the task
   * captured only if it is of `modelId`.
   */
  started?: { at: Date; actorId: string; attempts: number; modelId: string } | undefined;
}

/** Completes the task and captures its price, if it is not final yet. Returns whether it did. */
export async function completeAndCapture(em: EntityManager, r: CaptureRequest): Promise<boolean> {
  const legs = r.legs.filter((l) => l.amount !== 0n);
  const ids = arr(legs.map((l) => l.accountId));
  const amounts = arr(legs.map((l) => l.amount));
  const [row] = await runPrepared<{ captured: string }>(
    em,
    "escrow_capture",
    `with t as (
       update tasks set status = $1::text, error = $2::text, result = $3::jsonb, execution_provider = $4::text,
              inference_ms = $5::double precision, node_id = $6::text, cost = $7::bigint, units = $8::bigint,
              platform_fee = $9::bigint, provider_earning = $10::bigint, finished_at = $11::timestamptz,
              scheduled_at = coalesce(scheduled_at, $17::timestamptz), started_at = coalesce(started_at, $17::timestamptz),
              actor_id = coalesce($18::text, actor_id), attempts = greatest(attempts, coalesce($19::int, 0))
        where id = $12::uuid and status not in ('COMPLETED', 'FAILED', 'CANCELLED')
          and ($20::uuid is null or model_id = $20::uuid) returning id
     ), mv as (
       insert into ledger_transactions (id, kind, task_id, memo, created_at)
       select $14::uuid, 'capture', t.id, $15::text, $11::timestamptz from t returning id
     ), entries as (
       insert into ledger_entries (transaction_id, account_id, amount, created_at)
       select mv.id, v.account_id, v.amount, $11::timestamptz from mv,
         (select unnest($13::uuid[]) as account_id, unnest($16::bigint[]) as amount) v returning account_id, amount
     ), lk as (
       select id from ledger_accounts where id = any($13::uuid[]) and (select count(*) from entries) >= 0
        order by id for update
     ), balances as (
       update ledger_accounts a set balance = a.balance + e.amount from entries e
        where a.id = e.account_id and (select count(*) from lk) >= 0 returning a.id
     )
     select (select count(*) from mv) as captured, (select count(*) from balances) as moved`,
    [
      r.status ?? "COMPLETED",
      r.error ?? null,
      JSON.stringify(r.result),
      r.executionProvider,
      r.inferenceMs,
      r.nodeId,
      r.cost.toString(),
      r.units.toString(),
      r.fee.toString(),
      r.providerEarning.toString(),
      r.now,
      r.taskId,
      ids,
      randomUUID(),
      r.memo,
      amounts,
      r.started?.at ?? null,
      r.started?.actorId ?? null,
      r.started?.attempts ?? null,
      r.started?.modelId ?? null,
    ],
  );
  return Number(row?.captured) === 1;
}
