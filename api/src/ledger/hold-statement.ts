import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { runPrepared } from "../db/prepared.js";
import { type ClientAccounts, holdLegs } from "./movements.js";

/**
 * The hold: ONE statement writes a group of tasks QUEUED, each with its hold movement, and moves
 * the balances — or writes nothing. A group is any number of holds: one client's batch
 * (submitTasks), single submits of many clients grouped while a statement is in flight
 * (tasks/task-store.ts), or one task alone (a group of one). What the database enforces holds row
 * by row: one hold per task (unique (task_id, kind)), each movement balanced (the statement
 * trigger), no negative client balance (the accounts' check), one task per (account,
 * idempotency key).
 *
 * The rows go in as one jsonb array, so the text does not grow with the group. The tasks, their
 * ledger transactions and entries are written first; the accounts are locked LAST, in id order,
 * and moved once each by the sum of their legs: the accounts every movement of a client shares
 * are held for the balance updates and the commit only. A balance that does not cover its holds
 * fails the whole statement (the accounts' check: insufficient funds), as does a key already
 * taken (the unique violation): the caller then holds each unit on its own, so one client's
 * failure is never another's.
 */
export interface HoldTask {
  taskId: string;
  modelId: string;
  idempotencyKey: string | null;
  priority: number;
  input: unknown;
  pricing: unknown;
  escrow: bigint;
  /** The client asked for a check (`verify`): the escrow covers the extra run. */
  verify?: boolean | undefined;
  memo: string;
}

/** One request's holds: all written or none (a single submit, or a batch). */
export interface HoldUnit {
  accountId: string;
  accounts: ClientAccounts;
  now: Date;
  tasks: HoldTask[];
  /**
   * Each model as the caller priced and validated it: the holds happen only if every one is
   * still stored so (and, with `latest`, still its name's newest version).
   */
  modelChecks: { modelId: string; manifest: unknown; latest: boolean }[];
}

export type HoldOutcome =
  | { held: true }
  | { held: false; stale: true }
  | { held: false; stale: false; balance: bigint; total: bigint };

/** The group failed as a whole because a model is stale: each unit is held again alone. */
class StaleGroupError extends Error {}

export async function holdTasks(em: EntityManager, units: HoldUnit[]): Promise<HoldOutcome[]> {
  const tasks = units.flatMap((u) =>
    u.tasks.map((t) => {
      const [debit, credit] = holdLegs(u.accounts, t.escrow);
      return {
        id: t.taskId,
        account_id: u.accountId,
        model_id: t.modelId,
        idempotency_key: t.idempotencyKey,
        priority: t.priority,
        input: t.input,
        pricing: t.pricing,
        escrow: t.escrow.toString(),
        verify: t.verify === true,
        tx_id: randomUUID(),
        memo: t.memo,
        at: u.now.toISOString(),
        debit_account: debit?.accountId,
        credit_account: credit?.accountId,
      };
    }),
  );
  const checks = [
    ...new Map(units.flatMap((u) => u.modelChecks.map((c) => [`${c.modelId}|${c.latest}`, c]))).values(),
  ];
  const accounts = [...new Set(units.flatMap((u) => [u.accounts.available, u.accounts.held]))].sort();
  let row: { held: string; fresh: string } | undefined;
  try {
    [row] = await runPrepared<{ held: string; fresh: string }>(
      em,
      "tasks_hold",
      `with c as (
       select c.model_id, c.manifest, c.latest
         from jsonb_to_recordset($1::jsonb) as c(model_id uuid, manifest jsonb, latest boolean)
     ), m as (
       select 1 where (select count(*) from c join models x on x.id = c.model_id and x.manifest = c.manifest
                        where not c.latest
                           or not exists (select 1 from models n where n.name = x.name and n.created_at > x.created_at))
                      = (select count(*) from c)
     ), r as (
       select * from jsonb_to_recordset($2::jsonb) as r(id uuid, account_id uuid, model_id uuid, idempotency_key text,
         priority int, input jsonb, pricing jsonb, escrow bigint, verify boolean, tx_id uuid, memo text, at timestamptz,
         debit_account uuid, credit_account uuid)
     ), task as (
       insert into tasks (id, account_id, model_id, idempotency_key, priority, status, input, pricing, max_price, verify, attempts, created_at)
       select r.id, r.account_id, r.model_id, r.idempotency_key, r.priority, 'QUEUED', r.input, r.pricing, r.escrow, r.verify, 0, r.at
         from r where exists (select 1 from m) returning id
     ), mv as (
       insert into ledger_transactions (id, kind, task_id, memo, created_at)
       select r.tx_id, 'hold', r.id, r.memo, r.at from r where exists (select 1 from m) returning id
     ), entries as (
       insert into ledger_entries (transaction_id, account_id, amount, created_at)
       select r.tx_id, v.account_id, v.amount, r.at from r,
         lateral (values (r.debit_account, -r.escrow), (r.credit_account, r.escrow)) v(account_id, amount)
        where exists (select 1 from m) returning account_id, amount
     ), lk as (
       select id from ledger_accounts
        where id = any($3::uuid[]) and exists (select 1 from m) and (select count(*) from entries) >= 0
        order by id for update
     ), balances as (
       update ledger_accounts a set balance = a.balance + s.amount
         from (select account_id, sum(amount) as amount from entries group by account_id) s
        where a.id = s.account_id and (select count(*) from lk) >= 0 returning a.id
     )
     select (select count(*) from task) as held, (select count(*) from m) as fresh,
            -- An assertion: tasks written but an account not moved (missing) fails the whole
            -- statement (division by zero), never commits.
            case when exists (select 1 from m)
                 then 1 / ((select count(*) from balances) = cardinality($3::uuid[]))::int else 0 end as moved`,
      [
        JSON.stringify(checks.map((c) => ({ model_id: c.modelId, manifest: c.manifest, latest: c.latest }))),
        JSON.stringify(tasks),
        `{${accounts.join(",")}}`,
      ],
    );
  } catch (err) {
    if (!isNegativeBalance(err) || units.length > 1) throw err;
    // The one unit's balance does not cover its holds: nothing was written.
    return [await insufficient(em, units[0] as HoldUnit)];
  }
  if (Number(row?.fresh) === 0) {
    if (units.length > 1) throw new StaleGroupError("a model of the group changed");
    return [{ held: false, stale: true }];
  }
  if (Number(row?.held) !== tasks.length) throw new Error(`held ${row?.held} of ${tasks.length} tasks`);
  return units.map(() => ({ held: true }));
}

async function insufficient(em: EntityManager, unit: HoldUnit): Promise<HoldOutcome> {
  const [now] = await em
    .getConnection()
    .execute<{ balance: string }[]>("select balance from ledger_accounts where id = ?", [
      unit.accounts.available,
    ]);
  const total = unit.tasks.reduce((sum, t) => sum + t.escrow, 0n);
  return { held: false, stale: false, balance: BigInt(now?.balance ?? 0), total };
}

/** The ledger accounts' check (no negative client balance) refused a movement. */
function isNegativeBalance(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return e?.code === "23514" && e.constraint === "ledger_accounts_check";
}
