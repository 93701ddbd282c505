import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { runPrepared } from "../db/prepared.js";
import type { CaptureRequest } from "./escrow.js";

/**
 * escrow.ts's two movements for many tasks at once, each still ONE SQL statement (one implicit
 * transaction): a batch submission's holds, and the dispatcher's group commit of captures.
 * The rows go in as one jsonb array (jsonb_to_recordset), so a statement's text does not grow
 * with the batch; each CTE takes its rows straight from that recordset (a hold's rows are all
 * written or none) or from the tasks the capture's update returned, never from a hash join of
 * one CTE's output with another. Every per-task guarantee of escrow.ts still holds row by row: one ledger
 * transaction per task and movement (the unique (task_id, kind) rejects a second), a capture
 * only of a task not yet final, entries balanced per transaction (the statement trigger),
 * accounts locked in id order before they move, no negative client balance (the check).
 * Balances move once per account per statement (the legs summed by account: an UPDATE ... FROM
 * changes a row once, whatever number of source rows match it).
 *
 * The captures lock their accounts LAST: the tasks, ledger transactions and entries are written
 * first (lk waits for `entries`), so the accounts every capture and hold of a client share are
 * held for the balance updates and the commit only, not for the whole statement. The lock order
 * is still task rows, then accounts in id order, as in every other movement.
 */

export interface BatchHoldTask {
  taskId: string;
  modelId: string;
  idempotencyKey: string | null;
  priority: number;
  input: unknown;
  pricing: unknown;
  price: bigint;
  memo: string;
}

export interface BatchHoldRequest {
  accountId: string;
  availableId: string;
  heldId: string;
  now: Date;
  tasks: BatchHoldTask[];
  /**
   * Each distinct model of the batch as the caller priced and validated it: the holds happen
   * only if every one is still stored so (and, with `latest`, still its name's newest version);
   * otherwise nothing is written and `stale` says to look the models up again.
   */
  modelChecks?: { modelId: string; manifest: unknown; latest: boolean }[];
}

/**
 * Holds the whole batch's price and writes every task QUEUED, each with its own hold
 * transaction, or writes nothing (the balance does not cover the total, a model is stale, or
 * an idempotency key is taken: that one raises the unique violation).
 *
 * The accounts are locked LAST, as the captures lock theirs: the tasks, their ledger
 * transactions and entries are written first, then the client's two accounts locked (in id
 * order) and moved. A balance that does not cover the total is refused by the ledger's own
 * check (no negative client balance): the statement fails and writes nothing, and the balance
 * is read for the answer. So a client's captures wait for the balance updates and the commit of
 * a batch's hold, not for the writing of its hundreds of rows.
 */
export async function holdAndCreateTasks(
  em: EntityManager,
  r: BatchHoldRequest,
): Promise<{ held: boolean; balance: bigint; total: bigint; stale: boolean }> {
  const total = r.tasks.reduce((sum, t) => sum + t.price, 0n);
  const checks = r.modelChecks ?? [];
  const tasks = r.tasks.map((t) => ({
    id: t.taskId,
    model_id: t.modelId,
    idempotency_key: t.idempotencyKey,
    priority: t.priority,
    input: t.input,
    pricing: t.pricing,
    price: t.price.toString(),
    tx_id: randomUUID(),
    memo: t.memo,
  }));
  let row: { held: string; credited: string; fresh: string } | undefined;
  try {
    [row] = await runPrepared<{ held: string; credited: string; fresh: string }>(
      em,
      "escrow_hold_many",
      `with c as (
       select c.model_id, c.manifest, c.latest
         from jsonb_to_recordset($1::jsonb) as c(model_id uuid, manifest jsonb, latest boolean)
     ), m as (
       select 1 where (select count(*) from c join models x on x.id = c.model_id and x.manifest = c.manifest
                        where not c.latest
                           or not exists (select 1 from models n where n.name = x.name and n.created_at > x.created_at))
                      = (select count(*) from c)
     ), r as (
       select * from jsonb_to_recordset($6::jsonb) as r(id uuid, model_id uuid, idempotency_key text, priority int,
         input jsonb, pricing jsonb, price bigint, tx_id uuid, memo text)
     ), task as (
       insert into tasks (id, account_id, model_id, idempotency_key, priority, status, input, pricing, max_price, attempts, created_at)
       select r.id, $7::uuid, r.model_id, r.idempotency_key, r.priority, 'QUEUED', r.input, r.pricing, r.price, 0, $8::timestamptz
         from r where exists (select 1 from m) returning id
     ), mv as (
       insert into ledger_transactions (id, kind, task_id, memo, created_at)
       select r.tx_id, 'hold', r.id, r.memo, $8::timestamptz from r where exists (select 1 from m) returning id
     ), entries as (
       insert into ledger_entries (transaction_id, account_id, amount, created_at)
       select r.tx_id, v.account_id, v.amount, $8::timestamptz from r,
         lateral (values ($4::uuid, -r.price), ($5::uuid, r.price)) v(account_id, amount)
        where exists (select 1 from m) returning 1
     ), lk as (
       select id from ledger_accounts
        where id = any($2::uuid[]) and exists (select 1 from m) and (select count(*) from entries) >= 0
        order by id for update
     ), debit as (
       update ledger_accounts set balance = balance - $3::bigint
        where id = $4::uuid and (select count(*) from lk) = 2 returning id
     ), credit as (
       update ledger_accounts set balance = balance + $3::bigint where id = $5::uuid and exists (select 1 from debit) returning id
     )
     select (select count(*) from entries) as held, (select count(*) from credit) as credited,
            (select count(*) from m) as fresh,
            -- An assertion: tasks written but no money moved (an account missing) fails the whole
            -- statement (division by zero), never commits.
            case when exists (select 1 from m) then 1 / (select count(*)::int from credit) else 0 end as moved`,
      [
        JSON.stringify(checks.map((c) => ({ model_id: c.modelId, manifest: c.manifest, latest: c.latest }))),
        `{${r.availableId},${r.heldId}}`,
        total.toString(),
        r.availableId,
        r.heldId,
        JSON.stringify(tasks),
        r.accountId,
        r.now,
      ],
    );
  } catch (err) {
    if (!isNegativeBalance(err)) throw err;
    // The debit would have taken the balance below zero: the statement wrote nothing.
    const [now] = await em
      .getConnection()
      .execute<{ balance: string }[]>("select balance from ledger_accounts where id = ?", [r.availableId]);
    return { held: false, balance: BigInt(now?.balance ?? 0), total, stale: false };
  }
  const stale = Number(row?.fresh) === 0;
  return { held: !stale && Number(row?.held) === 2 * r.tasks.length, balance: 0n, total, stale };
}

/** The ledger accounts' check (no negative client balance) refused a movement. */
function isNegativeBalance(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return e?.code === "23514" && e.constraint === "ledger_accounts_check";
}

/**
 * Completes and captures many tasks in one statement (the dispatcher's group commit): each task
 * not final yet is completed and captured; one already final is left alone. Returns, in order,
 * whether each was captured. A failure (a constraint) fails the whole statement: the caller
 * then captures one by one (escrow.ts), so one bad task cannot fail the others.
 *
 * The tasks are also named by an id array ($4): a prepared statement's generic plan, made while
 * the tasks table was small (a new database: its statistics say a few hundred rows), would
 * otherwise join the recordset (guessed at 100 rows) to a SEQUENTIAL SCAN of every task, and
 * keep that plan as the table grows; `id = any(...)` is always looked up by the primary key.
 */
export async function completeAndCaptureMany(em: EntityManager, reqs: CaptureRequest[]): Promise<boolean[]> {
  const rows = reqs.map((r) => ({
    task_id: r.taskId,
    status: r.status ?? "COMPLETED",
    error: r.error ?? null,
    result: r.result,
    execution_provider: r.executionProvider,
    inference_ms: r.inferenceMs,
    node_id: r.nodeId,
    cost: r.cost.toString(),
    units: r.units.toString(),
    fee: r.fee.toString(),
    provider_earning: r.providerEarning.toString(),
    finished_at: r.now.toISOString(),
    tx_id: randomUUID(),
    memo: r.memo,
    started_at: r.started?.at.toISOString() ?? null,
    actor_id: r.started?.actorId ?? null,
    attempts: r.started?.attempts ?? null,
    model_id: r.started?.modelId ?? null,
    legs: r.legs
      .filter((l) => l.amount !== 0n)
      .map((l) => ({ account_id: l.accountId, amount: l.amount.toString() })),
  }));
  const accounts = [...new Set(reqs.flatMap((r) => r.legs.map((l) => l.accountId)))].sort();
  const now = new Date();
  const captured = await runPrepared<{ id: string }>(
    em,
    "escrow_capture_many",
    `with r as (
       select * from jsonb_to_recordset($1::jsonb) as r(task_id uuid, status text, error text, result jsonb,
         execution_provider text, inference_ms double precision, node_id text, cost bigint, units bigint, fee bigint,
         provider_earning bigint, finished_at timestamptz, tx_id uuid, memo text, started_at timestamptz, actor_id text,
         attempts int, model_id uuid, legs jsonb)
     ), t as (
       update tasks x set status = r.status, error = r.error, result = r.result, execution_provider = r.execution_provider,
              inference_ms = r.inference_ms, node_id = r.node_id, cost = r.cost, units = r.units, platform_fee = r.fee,
              provider_earning = r.provider_earning, finished_at = r.finished_at,
              scheduled_at = coalesce(x.scheduled_at, r.started_at), started_at = coalesce(x.started_at, r.started_at),
              actor_id = coalesce(r.actor_id, x.actor_id), attempts = greatest(x.attempts, coalesce(r.attempts, 0))
         from r where x.id = any($4::uuid[]) and x.id = r.task_id and x.status not in ('COMPLETED', 'FAILED', 'CANCELLED')
          and (r.model_id is null or x.model_id = r.model_id) returning x.id, r.tx_id, r.memo, r.legs
     ), mv as (
       insert into ledger_transactions (id, kind, task_id, memo, created_at)
       select t.tx_id, 'capture', t.id, t.memo, $3::timestamptz from t returning id, task_id
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
    [JSON.stringify(rows), `{${accounts.join(",")}}`, now, `{${reqs.map((r) => r.taskId).join(",")}}`],
  );
  // By ledger transaction, not by task: one task twice in a group (two attempts ending at once)
  // is updated once, with one of its requests' rows, and only that request captured it.
  const done = new Set(captured.map((c) => c.id));
  return rows.map((r) => done.has(r.tx_id));
}
