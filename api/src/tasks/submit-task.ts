import { randomUUID } from "node:crypto";
import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { isFinalTaskStatus, TaskStatus } from "@neurogrid/schema";
import { type Model, Task } from "../db/entities/index.js";
import { ApiError, badInput, notFound } from "../errors.js";
import { clientAccounts } from "../ledger/accounts.js";
import type { HoldOutcome } from "../ledger/hold-statement.js";
import type { AnswerWait } from "./answer-wait.js";
import { enqueueTasks, type LocalStarter } from "./local-start.js";
import { modelByName } from "./model-cache.js";
import type { PriorityCaps } from "./priority-caps.js";
import type { SettledTask } from "./settled-task.js";
import { taskInputOf } from "./task-input.js";
import type { TaskQueue } from "./task-queue.js";
import type { TaskStore } from "./task-store.js";
import { escrowFor, holdTaskOf, jobOf, writtenTask } from "./written-task.js";

/** The longest idempotency key, in characters. */
const MAX_KEY_CHARS = 200;
/** Priorities run from 0 to this (higher first). */
const MAX_PRIORITY = 999;
/** Holds tried again after PostgreSQL broke a deadlock with them, at most. */
export const HOLD_TRIES = 3;
/** Tries that check the cached model is still the stored one (then it is read fresh). */
export const MODEL_CHECKED_TRIES = 2;

/**
 * submitTask: validate (task-input.ts: tensors, or a language model's generation arguments), then
 * hold the price in escrow and write the task QUEUED (the lifecycle's `hold`: task-store.ts,
 * ONE statement, shared with the other holds arriving while one is in flight: group commit), and
 * after commit start it here (local-start.ts) or enqueue its job (job id = task id). No provider
 * is asked to compute before that commit.
 *
 * QUEUED is not announced: nobody can be listening yet. A taskProgress subscriber needs the
 * task's id, which only the answer gives, and it replays the states it missed from the row it
 * reads after it starts listening, QUEUED always first (graphql/task-progress.ts).
 *
 * The idempotency key: the same key from the same account gives the same task and one charge,
 * enforced by the unique (account_id, idempotency_key) constraint, so two concurrent submits
 * with one key cannot both commit. Reusing a key for a different request is CONFLICT.
 *
 * If the process dies between commit and enqueue, the dispatcher's recovery sweep enqueues the
 * QUEUED task (the job id makes that safe to repeat).
 */
export interface SubmitTaskRequest {
  model: string;
  version?: string | undefined;
  input: unknown;
  idempotencyKey?: string | undefined;
  priority?: number | undefined;
  /** Have the result checked, paying the extra run (written-task.ts escrowFor). */
  verify?: boolean | undefined;
}

export interface SubmitDeps {
  queue: TaskQueue;
  store: TaskStore;
  /** This process's dispatcher, when it has one: tasks may start here at once (local-start.ts). */
  local?: LocalStarter | undefined;
  /** A task started here may be waited for and answered COMPLETED (answer-wait.ts). */
  answers?: AnswerWait | undefined;
  /** How high each account may put its tasks (priority-caps.ts); without it, any priority. */
  priorities?: Pick<PriorityCaps, "check"> | undefined;
}

export async function submitTask(
  em: EntityManager,
  deps: SubmitDeps,
  accountId: string,
  req: SubmitTaskRequest,
): Promise<Task> {
  const key = checkedKey(req);
  const priority = req.priority ?? 0;
  await deps.priorities?.check(accountId, [priority]);
  if (key) {
    const existing = await findByKey(em, accountId, key);
    if (existing) return resumed(deps, sameRequestOrConflict(existing, req));
  }
  const accounts = await clientAccounts(em, accountId);
  const taskId = randomUUID();
  const now = new Date();
  // The model comes from the process's cache; the hold checks that it is still the stored one
  // (and still the latest version, for an unversioned submit), else it is looked up again.
  let model = await findModel(em, req.model, req.version, false);
  for (let attempt = 0; ; attempt++) {
    const { input, pricing } = taskInputOf(model, req.input);
    const verify = req.verify === true;
    const price = escrowFor(pricing, verify);
    let outcome: HoldOutcome;
    try {
      outcome = await deps.store.hold({
        accountId,
        accounts,
        now,
        tasks: [holdTaskOf({ taskId, model, key, priority, input, price, pricing, verify })],
        modelChecks:
          attempt < MODEL_CHECKED_TRIES
            ? [{ modelId: model.id, manifest: model.manifest, latest: req.version === undefined }]
            : [],
      });
    } catch (err) {
      if (isDeadlock(err) && attempt < HOLD_TRIES) continue;
      if (key && isUniqueViolation(err)) {
        const existing = await findByKey(em.fork(), accountId, key);
        if (existing) return resumed(deps, sameRequestOrConflict(existing, req));
      }
      throw err;
    }
    if (!outcome.held && outcome.stale) {
      model = await findModel(em, req.model, req.version, true);
      continue;
    }
    if (!outcome.held) {
      throw new ApiError(
        "INSUFFICIENT_FUNDS",
        `balance ${outcome.balance} is less than the escrow ${price}`,
        {
          balance: outcome.balance.toString(),
          price: price.toString(),
        },
      );
    }
    const task = writtenTask({ taskId, accountId, model, key, priority, input, price, pricing, verify, now });
    const answer = deps.answers?.listen();
    const startedHere = await enqueueTasks(deps, [
      { ...jobOf(task, accountId), onSettled: answer?.onSettled },
    ]);
    const settled = startedHere > 0 ? await answer?.settled() : undefined;
    return settled?.status === TaskStatus.COMPLETED ? answered(task, settled) : task;
  }
}

/** The task as its capture wrote it (no read back), for the submit's answer. */
function answered(task: Task, s: SettledTask): Task {
  return Object.assign(task, {
    status: TaskStatus.COMPLETED,
    attempts: 1,
    scheduledAt: s.startedAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    result: s.result,
    executionProvider: s.executionProvider,
    inferenceMs: s.inferenceMs,
    nodeId: s.nodeId,
    actorId: s.actorId,
    cost: s.split.cost,
    units: s.split.units,
    platformFee: s.split.fee,
    providerEarning: s.split.providerEarning,
  });
}

/** The request's idempotency key, trimmed (undefined when empty), and its priority, checked. */
export function checkedKey(req: SubmitTaskRequest): string | undefined {
  const key = req.idempotencyKey?.trim() || undefined;
  if (key !== undefined && key.length > MAX_KEY_CHARS) {
    throw badInput(`idempotencyKey is longer than ${MAX_KEY_CHARS} characters`);
  }
  const priority = req.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
    throw badInput(`priority must be an integer from 0 to ${MAX_PRIORITY}`);
  }
  return key;
}

/**
 * The same key again: the first submission may have died between its commit and its enqueue
 * (an api killed mid-request), so an unfinished task gets its job now (a no-op if it has one).
 */
async function resumed(deps: SubmitDeps, task: Task): Promise<Task> {
  if (!isFinalTaskStatus(task.status)) await deps.queue.ensureJob(task.id, task.priority);
  return task;
}

async function findByKey(em: EntityManager, accountId: string, key: string): Promise<Task | null> {
  return em.findOne(Task, { account: accountId, idempotencyKey: key }, { populate: ["model"] });
}

export function sameRequestOrConflict(existing: Task, req: SubmitTaskRequest): Task {
  const sameModel =
    existing.model.name === req.model &&
    (req.version === undefined || existing.model.version === req.version);
  if (
    !sameModel ||
    existing.verify !== (req.verify === true) ||
    JSON.stringify(existing.input) !== JSON.stringify(normalised(existing.model, req.input))
  ) {
    throw new ApiError("CONFLICT", "this idempotency key was already used for a different request", {
      taskId: existing.id,
    });
  }
  return existing;
}

/** The request's input as it would have been stored (or itself, if it is not valid). */
function normalised(model: Model, input: unknown): unknown {
  try {
    return taskInputOf(model, input).input;
  } catch {
    return input;
  }
}

export async function findModel(
  em: EntityManager,
  name: string,
  version: string | undefined,
  fresh: boolean,
) {
  const model = await modelByName(em, name, version, fresh);
  if (!model) throw notFound(version ? `model ${name}@${version}` : `model ${name}`);
  return model;
}

/**
 * PostgreSQL chose this statement to break a deadlock; nothing of it was written, and trying
 * again is safe. (Holds lock accounts in id order, after their rows; a unique idempotency key
 * waited on inside another group's statement can still close a cycle with a capture's locks.)
 */
export function isDeadlock(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code === "40P01" || e?.cause?.code === "40P01";
}

/** The unique (account, idempotency key) constraint, however the driver reports it. */
export function isUniqueViolation(err: unknown): boolean {
  if (err instanceof UniqueConstraintViolationException) return true;
  return (err as { code?: string } | null)?.code === "23505";
}
