import type { MikroORM } from "@mikro-orm/postgresql";
import { LedgerTxKind } from "../db/entities/index.js";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger, type LedgerCheckResult } from "../ledger/check.js";
import type { ChaosClient } from "./chaos-accounts.js";

/**
 * What must hold after a chaos run, read from the database alone:
 *
 *   - every submitted idempotency key has exactly one task, and it is the one its client was told;
 *   - every task is final (COMPLETED, FAILED or CANCELLED); `lost` counts keys without a task or
 *     whose task is not final;
 *   - every task was held once, and settled once: `chargedTwice` counts tasks with two captures,
 *     two refunds, or a capture and a refund; `unsettled` counts final tasks without theirs;
 *   - every client's available balance is its deposits less the cost of its COMPLETED tasks, and
 *     nothing is left held;
 *   - the ledger check passes (entries sum to zero, every balance equals its entries).
 */
export interface Invariants {
  finished: number;
  lost: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Keys with more than one task, and tasks under keys nobody submitted. */
  duplicateKeys: number;
  strayTasks: number;
  /** Keys whose client was answered with another task id than the one stored. */
  wrongTaskIds: number;
  chargedTwice: number;
  unsettled: number;
  holdErrors: number;
  balanceErrors: string[];
  ledger: LedgerCheckResult;
  /** Result verification under the kills: the tasks drawn for a spot check, by where they ended. */
  checks: Record<string, number>;
}

const FINAL = new Set(["COMPLETED", "FAILED", "CANCELLED"]);

interface TaskRow {
  id: string;
  account_id: string;
  idempotency_key: string | null;
  status: string;
  cost: string | null;
}

export async function checkInvariants(
  orm: MikroORM,
  opts: { keys: string[]; clients: ChaosClient[]; answered: Map<string, string> },
): Promise<Invariants> {
  const em = orm.em.fork();
  const tasks = await em.execute<TaskRow[]>(
    "select id, account_id, idempotency_key, status, cost::text as cost from tasks",
  );
  const movements = await em.execute<{ task_id: string; kind: string; n: string }[]>(
    "select task_id, kind, count(*) as n from ledger_transactions where task_id is not null group by task_id, kind",
  );
  const byKey = new Map<string, TaskRow[]>();
  for (const t of tasks) {
    const list = byKey.get(t.idempotency_key ?? "") ?? [];
    list.push(t);
    byKey.set(t.idempotency_key ?? "", list);
  }
  const keySet = new Set(opts.keys);
  const result = {
    finished: 0,
    lost: 0,
    duplicateKeys: 0,
    wrongTaskIds: 0,
    strayTasks: tasks.filter((t) => !keySet.has(t.idempotency_key ?? "")).length,
  };
  for (const key of opts.keys) {
    const found = byKey.get(key) ?? [];
    if (found.length > 1) result.duplicateKeys++;
    const told = opts.answered.get(key);
    if (told !== undefined && !found.some((t) => t.id === told)) result.wrongTaskIds++;
    if (found.length >= 1 && found.every((t) => FINAL.has(t.status))) result.finished++;
    else result.lost++;
  }

  const perTask = new Map<string, Record<string, number>>();
  for (const m of movements) {
    const entry = perTask.get(m.task_id) ?? {};
    entry[m.kind] = Number(m.n);
    perTask.set(m.task_id, entry);
  }
  let chargedTwice = 0;
  let unsettled = 0;
  let holdErrors = 0;
  for (const t of tasks) {
    const m = perTask.get(t.id) ?? {};
    const captures = m[LedgerTxKind.CAPTURE] ?? 0;
    const refunds = m[LedgerTxKind.REFUND] ?? 0;
    if (captures > 1 || refunds > 1 || (captures > 0 && refunds > 0)) chargedTwice++;
    if ((m[LedgerTxKind.HOLD] ?? 0) !== 1) holdErrors++;
    const settledAsItShould =
      t.status === "COMPLETED" ? captures === 1 : FINAL.has(t.status) ? refunds === 1 : true;
    if (!settledAsItShould) unsettled++;
  }

  const balanceErrors: string[] = [];
  for (const client of opts.clients) {
    const spent = tasks
      .filter((t) => t.account_id === client.id && t.status === "COMPLETED")
      .reduce((sum, t) => sum + BigInt(t.cost ?? "0"), 0n);
    const b = await balancesOf(orm.em.fork(), client.id);
    const expected = client.deposited - spent;
    if (b.available !== expected || b.held !== 0n) {
      balanceErrors.push(
        `client ${client.id}: available ${b.available} (expected ${expected}), held ${b.held} (expected 0)`,
      );
    }
  }

  return {
    ...result,
    completed: tasks.filter((t) => t.status === "COMPLETED").length,
    failed: tasks.filter((t) => t.status === "FAILED").length,
    cancelled: tasks.filter((t) => t.status === "CANCELLED").length,
    chargedTwice,
    unsettled,
    holdErrors,
    balanceErrors,
    ledger: await checkLedger(orm.em.fork()),
    checks: Object.fromEntries(
      (
        await orm.em
          .fork()
          .execute<{ status: string; n: string }[]>(
            "select status, count(*) as n from task_verifications group by status order by status",
          )
      ).map((r) => [r.status, Number(r.n)]),
    ),
  };
}
