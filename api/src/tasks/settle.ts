import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { splitFee } from "@neurogrid/contracts";
import { isFinalTaskStatus, type Pricing, type TaskStatus, TaskStatus as TS } from "@neurogrid/schema";
import { LedgerTxKind, Task } from "../db/entities/index.js";
import { runPrepared } from "../db/prepared.js";
import { clientAccounts, platformFeesAccount, providerEarningsAccount } from "../ledger/accounts.js";
import { type CaptureRequest, completeAndCapture } from "../ledger/escrow.js";
import { post } from "../ledger/ledger.js";
import { costOf, type Usage } from "../pricing/pricing.js";

/**
 * Ends a task, once. Each function locks the task row (SELECT ... FOR UPDATE), does nothing if
 * the task is already final, and otherwise writes the final state and its ledger movement in
 * the same transaction. The ledger's unique (task_id, kind) is the second lock: even a bug that
 * skipped the row lock could not capture or refund a task twice.
 *
 * Price: pricing.ts turns the usage into a cost (never more than the escrow); the split is
 * contracts' splitFee (fee rounds down, provider gets the rest); the rest of the escrow goes
 * back to the client in the same movement.
 */
export interface Completion {
  /** COMPLETED (default); CANCELLED or FAILED: cut short, charged for what ran (usage). */
  status?: "COMPLETED" | "CANCELLED" | "FAILED";
  error?: string;
  result: Record<string, unknown>;
  usage: Usage;
  executionProvider: string;
  inferenceMs: number;
  nodeId: string;
  providerId: string;
  /** The attempt's start, when no statement wrote it (deferred-start.ts). */
  started?: CaptureRequest["started"];
}

export interface TaskRef {
  id: string;
  accountId: string;
  /** The pricing the task was submitted under. */
  pricing: Pricing;
  maxPrice: bigint;
}

/** A task's pricing: the one it was submitted under (older rows: per call at their escrow). */
export function pricingOfTask(task: Pick<Task, "pricing" | "maxPrice">): Pricing {
  return task.pricing ?? { unit: "call", price: task.maxPrice.toString(), maxUnits: 1 };
}

/**
 * Completes a task and captures its price in one statement (ledger/escrow.ts); null if final.
 * `write` runs the capture: by default that statement alone; the dispatcher passes its group
 * commit (group-commit.ts), which writes captures arriving together in one statement.
 */
export async function completeTask(
  em: EntityManager,
  task: TaskRef,
  done: Completion,
  platformFeeBps: number,
  write: (r: CaptureRequest) => Promise<boolean> = (r) => completeAndCapture(em, r),
): Promise<Date | null> {
  const request = await captureOf(em, task, done, platformFeeBps);
  const captured = await write(request);
  return captured ? request.now : null;
}

/**
 * What capturing a task that ended so costs: its price from the usage, the fee split, and the
 * legs (the escrow released, the rest of it back to the client, the provider's earning and the
 * platform's fee), at `now`.
 */
export async function captureOf(
  em: EntityManager,
  task: TaskRef,
  done: Completion,
  platformFeeBps: number,
): Promise<CaptureRequest> {
  const now = new Date();
  const { units, cost } = costOf(task.pricing, done.usage);
  const { fee, provider } = splitFee(cost, platformFeeBps);
  const client = await clientAccounts(em, task.accountId);
  return {
    taskId: task.id,
    status: done.status,
    error: done.error,
    result: done.result,
    executionProvider: done.executionProvider,
    inferenceMs: done.inferenceMs,
    nodeId: done.nodeId,
    cost,
    units,
    fee,
    providerEarning: provider,
    memo: `task ${task.id} on node ${done.nodeId}`,
    started: done.started,
    legs: [
      { accountId: client.held, amount: -task.maxPrice },
      { accountId: client.available, amount: task.maxPrice - cost },
      { accountId: await providerEarningsAccount(em, done.providerId), amount: provider },
      { accountId: await platformFeesAccount(em), amount: fee },
    ],
    now,
  };
}

/** Fails (or cancels) a task and refunds its whole escrow: nothing ran to completion. */
export async function failTask(
  em: EntityManager,
  taskId: string,
  error: string,
  status: TaskStatus = TS.FAILED,
): Promise<Task | null> {
  // Accounts are resolved before the transaction: resolving may need a connection of its own.
  const owner = await em.fork().findOneOrFail(Task, taskId, { fields: ["account"] });
  const client = await clientAccounts(em, owner.account.id);
  return em.transactional(async (tx) => {
    const task = await tx.findOneOrFail(Task, taskId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (isFinalTaskStatus(task.status)) return null;
    await post(tx, {
      kind: LedgerTxKind.REFUND,
      taskId: task.id,
      memo: `task ${task.id} ${status.toLowerCase()}: refund`,
      legs: [
        { accountId: client.held, amount: -task.maxPrice },
        { accountId: client.available, amount: task.maxPrice },
      ],
    });
    Object.assign(task, { status, error, cost: 0n, units: 0n, finishedAt: new Date() });
    return task;
  });
}

/**
 * Moves a task forward to SCHEDULED or RUNNING unless it already passed that point (or was
 * cancelled); one statement. Returns when it moved, or null.
 */
export async function advanceTask(
  em: EntityManager,
  taskId: string,
  status: typeof TS.SCHEDULED | typeof TS.RUNNING,
  fields: { nodeId?: string; actorId?: string; attempts?: number } = {},
): Promise<Date | null> {
  const now = new Date();
  const from = status === TS.SCHEDULED ? [TS.QUEUED, TS.SCHEDULED, TS.RUNNING] : [TS.SCHEDULED, TS.RUNNING];
  const column = status === TS.SCHEDULED ? "scheduled_at" : "started_at";
  const rows = await em.execute<{ id: string }[]>(
    `update tasks set status = ?, ${column} = ?,
            node_id = coalesce(?, node_id), actor_id = coalesce(?, actor_id), attempts = coalesce(?, attempts)
      where id = ? and status in (${from.map(() => "?").join(", ")}) returning id`,
    [status, now, fields.nodeId ?? null, fields.actorId ?? null, fields.attempts ?? null, taskId, ...from],
  );
  return rows.length > 0 ? now : null;
}

/** What the dispatcher needs of a task it has started (read back by the statement that started it). */
export interface StartedTask {
  id: string;
  accountId: string;
  modelId: string;
  input: Record<string, unknown>;
  pricing: Pricing;
  maxPrice: bigint;
  at: Date;
}

/** One task to take up for an attempt (beginTask / beginTasks). */
export interface BeginRequest {
  taskId: string;
  attempts: number;
  /** The replica it runs on, when the dispatcher already has it: straight on to RUNNING. */
  running?: { nodeId: string; actorId: string } | undefined;
  /** When it started (default: the statement's time): a start written after the fact. */
  at?: Date | undefined;
}

/**
 * Takes an unfinished task up for an attempt, in one statement that also reads back what running
 * it needs: SCHEDULED, or straight on to RUNNING on `running`'s node and actor when the
 * dispatcher already has both (then scheduled_at = started_at: the two states are one moment).
 * Null if the task is gone or final (cancelled, or finished by another attempt).
 *
 * Its commit does not wait for the WAL flush (synchronous_commit off for this one transaction):
 * it moves no money, and a crash that lost it leaves the task QUEUED or SCHEDULED, which the
 * recovery sweep and the job's retry already handle. Every later synchronous commit (the
 * capture) flushes it too, so a durable capture never stands on a lost start.
 */
export async function beginTask(
  em: EntityManager,
  taskId: string,
  attempts: number,
  running?: { nodeId: string; actorId: string },
): Promise<StartedTask | null> {
  const [started] = await beginTasks(em, [{ taskId, attempts, running }]);
  return started ?? null;
}

/**
 * beginTask for many tasks in one statement (the dispatcher's group commit of starts): each
 * row moves under the same guard (not final) and is read back; in order, null where it did not.
 * The ids are also passed as an array ($6), so that the tasks are found by their primary key
 * whatever plan the prepared statement keeps (see escrow-batch.ts completeAndCaptureMany).
 */
export async function beginTasks(em: EntityManager, reqs: BeginRequest[]): Promise<(StartedTask | null)[]> {
  const now = new Date();
  const rows = await runPrepared<{
    id: string;
    account_id: string;
    model_id: string;
    input: Record<string, unknown>;
    pricing: Pricing | null;
    max_price: string;
  }>(
    em,
    "tasks_begin",
    `with async_commit as (select set_config('synchronous_commit', 'off', true)),
     r as (select * from jsonb_to_recordset($1::jsonb) as r(id uuid, status text, node_id text, actor_id text, attempts int,
             at timestamptz))
     update tasks x set status = r.status, scheduled_at = coalesce(r.at, $2::timestamptz),
            started_at = case when r.status = $3::text then coalesce(r.at, $2::timestamptz) else x.started_at end,
            node_id = coalesce(r.node_id, x.node_id), actor_id = coalesce(r.actor_id, x.actor_id), attempts = r.attempts
       from r
      where x.id = any($6::uuid[]) and x.id = r.id and x.status in ($4::text, $5::text, $3::text)
        and exists (select 1 from async_commit)
      returning x.id, x.account_id, x.model_id, x.input, x.pricing, x.max_price`,
    [
      JSON.stringify(
        reqs.map((q) => ({
          id: q.taskId,
          status: q.running ? TS.RUNNING : TS.SCHEDULED,
          node_id: q.running?.nodeId ?? null,
          actor_id: q.running?.actorId ?? null,
          attempts: q.attempts,
          at: q.at?.toISOString() ?? null,
        })),
      ),
      now,
      TS.RUNNING,
      TS.QUEUED,
      TS.SCHEDULED,
      `{${reqs.map((q) => q.taskId).join(",")}}`,
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
      at: q.at ?? now,
    };
  });
}
