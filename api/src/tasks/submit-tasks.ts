import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { isFinalTaskStatus } from "@neurogrid/schema";
import { type Model, Task } from "../db/entities/index.js";
import { ApiError, badInput } from "../errors.js";
import { clientAccounts } from "../ledger/accounts.js";
import type { HoldOutcome, HoldTask } from "../ledger/hold-statement.js";
import { enqueueTasks } from "./local-start.js";
import {
  checkedKey,
  findModel,
  HOLD_TRIES,
  isDeadlock,
  isUniqueViolation,
  MODEL_CHECKED_TRIES,
  type SubmitDeps,
  type SubmitTaskRequest,
  sameRequestOrConflict,
} from "./submit-task.js";
import { taskInputOf } from "./task-input.js";
import { escrowFor, holdTaskOf, jobOf, writtenTask } from "./written-task.js";

/**
 * submitTasks: many tasks of one client in one call, all or nothing.
 *
 *   validate every task (as submitTask does); the first bad one refuses the whole call, its
 *     error naming its index (`inputs[i]: ...`, extensions.index)
 *   -> ONE hold (task-store.ts, ledger/hold-statement.ts) holds the batch's total in escrow and
 *     writes every task QUEUED with its own hold, or writes nothing (INSUFFICIENT_FUNDS when the
 *     balance does not cover the total)
 *   -> the tasks start here, wait in this process's backlog, or get their jobs in one BullMQ
 *     addBulk (job id = task id) (local-start.ts); QUEUED is not announced (submit-task.ts)
 *
 * Idempotency keys work per task as in submitTask: a task whose key this account already used
 * for the same request is that task again (no new charge; its job ensured), a different request
 * is CONFLICT; one key twice in one call is BAD_USER_INPUT. A key taken by a concurrent call
 * between the look-up and the hold fails the statement (the unique constraint), and the call
 * starts over with the keys looked up again.
 */
export const MAX_SUBMIT_TASKS = 1000;

export async function submitTasks(
  em: EntityManager,
  deps: SubmitDeps,
  accountId: string,
  reqs: SubmitTaskRequest[],
): Promise<Task[]> {
  if (reqs.length > MAX_SUBMIT_TASKS) throw badInput(`at most ${MAX_SUBMIT_TASKS} tasks per call`);
  if (reqs.length === 0) return [];
  const keys = checked(reqs);
  await deps.priorities?.check(
    accountId,
    reqs.map((r) => r.priority ?? 0),
  );
  const models = new Map<string, Model>();
  const modelOf = async (req: SubmitTaskRequest, fresh: boolean) => {
    const id = `${req.model}@${req.version ?? ""}`;
    let model = fresh ? undefined : models.get(id);
    if (!model) {
      model = await findModel(em, req.model, req.version, fresh);
      models.set(id, model);
    }
    return model;
  };
  for (let i = 0; i < reqs.length; i++) await at(i, () => modelOf(reqs[i] as SubmitTaskRequest, false));
  const accounts = await clientAccounts(em, accountId);
  for (let attempt = 0; ; attempt++) {
    const existing = await findByKeys(em, accountId, keys);
    const result: Task[] = [];
    const fresh: { task: Task; hold: HoldTask }[] = [];
    const resumedTasks: Task[] = [];
    const now = new Date();
    for (const [i, req] of reqs.entries()) {
      const key = keys[i];
      const prior = key === undefined ? undefined : existing.get(key);
      if (prior) {
        const same = await at(i, async () => sameRequestOrConflict(prior, req));
        result.push(same);
        resumedTasks.push(same);
        continue;
      }
      const model = await modelOf(req, false);
      const { input, pricing } = await at(i, async () => taskInputOf(model, req.input));
      const verify = req.verify === true;
      const price = escrowFor(pricing, verify);
      const priority = req.priority ?? 0;
      const taskId = randomUUID();
      const task = writtenTask({
        taskId,
        accountId,
        model,
        key,
        priority,
        input,
        price,
        pricing,
        verify,
        now,
      });
      fresh.push({ task, hold: holdTaskOf({ taskId, model, key, priority, input, price, pricing, verify }) });
      result.push(task);
    }
    if (fresh.length > 0) {
      const checks = [...new Map(fresh.map(({ task }) => [task.model.id, task.model])).values()].map((m) => ({
        modelId: m.id,
        manifest: m.manifest,
        latest: reqs.some((r) => r.model === m.name && r.version === undefined),
      }));
      let outcome: HoldOutcome;
      try {
        outcome = await deps.store.hold({
          accountId,
          accounts,
          now,
          tasks: fresh.map((f) => f.hold),
          modelChecks: attempt < MODEL_CHECKED_TRIES ? checks : [],
        });
      } catch (err) {
        // A key taken meanwhile: look the keys up again (a bounded number of times).
        if (keys.some((k) => k !== undefined) && isUniqueViolation(err) && attempt < HOLD_TRIES) continue;
        // Chosen to break a deadlock (submit-task.ts isDeadlock): nothing written, try again.
        if (isDeadlock(err) && attempt < HOLD_TRIES) continue;
        throw err;
      }
      if (!outcome.held && outcome.stale) {
        for (const req of reqs) await modelOf(req, true);
        continue;
      }
      if (!outcome.held) {
        throw new ApiError(
          "INSUFFICIENT_FUNDS",
          `balance ${outcome.balance} is less than the escrow ${outcome.total} of ${fresh.length} tasks`,
          { balance: outcome.balance.toString(), price: outcome.total.toString() },
        );
      }
    }
    await Promise.all([
      enqueueTasks(
        deps,
        fresh.map(({ task }) => jobOf(task, accountId)),
      ),
      // Same key again: the first call may have died between its commit and its enqueue.
      ...resumedTasks
        .filter((t) => !isFinalTaskStatus(t.status))
        .map((t) => deps.queue.ensureJob(t.id, t.priority)),
    ]);
    return result;
  }
}

/** Each task's key and priority, checked; a key used twice in the call is refused. */
function checked(reqs: SubmitTaskRequest[]): (string | undefined)[] {
  const seen = new Map<string, number>();
  return reqs.map((req, i) => {
    const key = atOnce(i, () => checkedKey(req));
    if (key !== undefined) {
      const first = seen.get(key);
      if (first !== undefined)
        throw indexed(i, badInput(`idempotencyKey is also the key of inputs[${first}]`));
      seen.set(key, i);
    }
    return key;
  });
}

/** at() for a step that does not wait. */
function atOnce<T>(i: number, step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw err instanceof ApiError ? indexed(i, err) : err;
  }
}

/** Runs one task's step; its ApiError gets the task's index (message and extensions.index). */
async function at<T>(i: number, step: () => Promise<T> | T): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw err instanceof ApiError ? indexed(i, err) : err;
  }
}

function indexed(i: number, err: ApiError): ApiError {
  return new ApiError(err.code, `inputs[${i}]: ${err.message}`, { ...err.details, index: i });
}

async function findByKeys(
  em: EntityManager,
  accountId: string,
  keys: (string | undefined)[],
): Promise<Map<string, Task>> {
  const wanted = keys.filter((k): k is string => k !== undefined);
  if (wanted.length === 0) return new Map();
  const rows = await em
    .fork()
    .find(Task, { account: accountId, idempotencyKey: { $in: wanted } }, { populate: ["model"] });
  return new Map(rows.map((t) => [t.idempotencyKey as string, t]));
}
