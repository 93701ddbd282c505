import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * The two movements every task makes, each as ONE SQL statement in its own implicit
 * transaction, so the client's and provider's account rows are locked for one statement's
 * execution, not for several round trips: that is what lets many tasks of one client and one
 * provider flow at once. Each statement first locks its accounts in id order (an InitPlan
 * runs before the updates), like every other movement (ledger.ts), so none can deadlock.
 * The database still enforces what ledger.ts documents: entries balance at commit (deferred
 * trigger), one hold and one capture per task, no negative client or provider balance.
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
}

/**
 * Holds the price and writes the task QUEUED, or does nothing: returns the balance it saw (and
 * `stale` when the model check failed).
 */
export async function holdAndCreateTask(
  em: EntityManager,
  r: HoldRequest,
): Promise<{ held: boolean; balance: bigint; stale: boolean }> {
  const check = r.modelCheck;
  const [row] = await em.getConnection().execute<{ held: string; balance: string; fresh: string }[]>(
    `with m as (
       select 1 where not ?::boolean
       union all
       select 1 from models c where c.id = ? and c.manifest = ?::jsonb
         and (not ?::boolean or not exists (select 1 from models n where n.name = c.name and n.created_at > c.created_at))
     ), lk as (
       select id, balance from ledger_accounts where id = any(?::uuid[]) and exists (select 1 from m) order by id for update
     ),
     debit as (
       update ledger_accounts set balance = balance - ?::bigint
        where id = ? and (select count(*) from lk) = 2 and balance >= ?::bigint returning id
     ), credit as (
       update ledger_accounts set balance = balance + ?::bigint where id = ? and exists (select 1 from debit) returning id
     ), task as (
       insert into tasks (id, account_id, model_id, idempotency_key, priority, status, input, pricing, max_price, attempts, created_at)
       select ?, ?, ?, ?, ?, 'QUEUED', ?::jsonb, ?::jsonb, ?::bigint, 0, ? where exists (select 1 from debit) returning id
     ), mv as (
       insert into ledger_transactions (id, kind, task_id, memo, created_at)
       select ?, 'hold', id, ?, ? from task returning id
     ), entries as (
       insert into ledger_entries (transaction_id, account_id, amount, created_at)
       select mv.id, v.account_id, v.amount, ? from mv,
         (select unnest(?::uuid[]) as account_id, unnest(?::bigint[]) as amount) v returning 1
     )
     select (select count(*) from entries) as held, (select balance from lk where id = ?) as balance,
            (select count(*) from m) as fresh`,
    [
      check !== undefined,
      r.modelId,
      JSON.stringify(check?.manifest ?? null),
      check?.latest ?? false,
      arr([r.availableId, r.heldId]),
      r.price.toString(),
      r.availableId,
      r.price.toString(),
      r.price.toString(),
      r.heldId,
      r.taskId,
      r.accountId,
      r.modelId,
      r.idempotencyKey,
      r.priority,
      JSON.stringify(r.input),
      JSON.stringify(r.pricing),
      r.price.toString(),
      r.now,
      randomUUID(),
      r.memo,
      r.now,
      r.now,
      arr([r.availableId, r.heldId]),
      arr([-r.price, r.price]),
      r.availableId,
    ],
  );
  return {
    held: Number(row?.held) === 2,
    balance: BigInt(row?.balance ?? 0),
    stale: Number(row?.fresh) === 0,
  };
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
}

/** Completes the task and captures its price, if it is not final yet. Returns whether it did. */
export async function completeAndCapture(em: EntityManager, r: CaptureRequest): Promise<boolean> {
  const legs = r.legs.filter((l) => l.amount !== 0n);
  const ids = arr(legs.map((l) => l.accountId));
  const amounts = arr(legs.map((l) => l.amount));
  const [row] = await em.getConnection().execute<{ captured: string }[]>(
    `with t as (
       update tasks set status = ?, error = ?, result = ?::jsonb, execution_provider = ?, inference_ms = ?,
              node_id = ?, cost = ?::bigint, units = ?::bigint, platform_fee = ?::bigint, provider_earning = ?::bigint,
              finished_at = ?
        where id = ? and status not in ('COMPLETED', 'FAILED', 'CANCELLED') returning id
     ), lk as (select id from ledger_accounts where id = any(?::uuid[]) order by id for update),
     mv as (
       insert into ledger_transactions (id, kind, task_id, memo, created_at)
       select ?, 'capture', t.id, ?, ? from t where (select count(*) from lk) >= 0 returning id
     ), entries as (
       insert into ledger_entries (transaction_id, account_id, amount, created_at)
       select mv.id, v.account_id, v.amount, ? from mv,
         (select unnest(?::uuid[]) as account_id, unnest(?::bigint[]) as amount) v returning account_id, amount
     ), balances as (
       update ledger_accounts a set balance = a.balance + e.amount from entries e where a.id = e.account_id returning a.id
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
      r.now,
      r.now,
      ids,
      amounts,
    ],
  );
  return Number(row?.captured) === 1;
}
