import { randomUUID } from "node:crypto";
import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { isFinalTaskStatus, TaskStatus } from "@neurogrid/schema";
import { type Account, type Model, Task } from "../db/entities/index.js";
import { ApiError, badInput, notFound } from "../errors.js";
import { clientAccounts } from "../ledger/accounts.js";
import { type CaptureRequest, type HoldRequest, holdAndCreateTask } from "../ledger/escrow.js";
import { holdAndCapture } from "../ledger/escrow-instant.js";
import { escrowOf } from "../pricing/pricing.js";
import { enqueueTasks, type HeldAnswer, type HeldStart, type LocalStarter } from "./local-start.js";
import { modelByName } from "./model-cache.js";
import { captureOf, pricingOfTask } from "./settle.js";
import type { TaskEventBus } from "./task-events.js";
import { taskInputOf } from "./task-input.js";
import { jobInput, type TaskCharge, type TaskQueue } from "./task-queue.js";

/**
 * submitTask: validate (task-input.ts: tensors, or a language model's generation arguments), then
 * in ONE SQL statement (ledger/escrow.ts) hold the price in escrow
 * and write the task QUEUED; after commit, enqueue its job (job id = task id).
 *
 * QUEUED is not announced: nobody can be listening yet. A taskProgress subscriber needs the
 * task's id, which only the answer gives, and it replays the states it missed from the row it
 * reads after it starts listening, QUEUED always first (graphql/task-progress.ts); an event
 * would be a Redis publish per task that every subscriber drops as seen.
 *
 * The idempotency key: the same key from the same account gives the same task and one charge,
 * enforced by the unique (account_id, idempotency_key) constraint, so two concurrent submits
 * with one key cannot both commit. Reusing a key for a different request is CONFLICT.
 *
 * If the process dies between commit and enqueue, the dispatcher's recovery sweep enqueues the
 * QUEUED task on start (the job id makes that safe to repeat).
 *
 * Started here (local-start.ts prepare): the task's call is sent before its hold, and the hold
 * writes it RUNNING on that replica. When the answer is already in — within the dispatcher's
 * answer wait (NEUROGRID_ANSWER_WAIT_MS, while such calls answer that fast lately) — one
 * statement instead holds, completes and captures it (ledger/escrow-instant.ts), and the submit
 * answers COMPLETED with its result: one commit for the whole task. A hold that does not
 * happen (no funds, a conflict, a stale model) drops the answer; nothing is stored or charged.
 */
export interface SubmitTaskRequest {
  model: string;
  version?: string | undefined;
  input: unknown;
  idempotencyKey?: string | undefined;
  priority?: number | undefined;
}

export interface SubmitDeps {
  queue: TaskQueue;
  events: TaskEventBus;
  /** This process's dispatcher, when it has one: tasks may start here at once (local-start.ts). */
  local?: LocalStarter | undefined;
  log?: ((msg: string) => void) | undefined;
}

export async function submitTask(
  em: EntityManager,
  deps: SubmitDeps,
  account: Account,
  req: SubmitTaskRequest,
): Promise<Task> {
  const key = req.idempotencyKey?.trim() || undefined;
  if (key !== undefined && key.length > 200) throw badInput("idempotencyKey is longer than 200 characters");
  const priority = req.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > 999) {
    throw badInput("priority must be an integer from 0 to 999");
  }
  if (key) {
    const existing = await findByKey(em, account, key);
    if (existing) return resumed(deps, sameRequestOrConflict(existing, req));
  }
  const accounts = await clientAccounts(em, account.id);
  const taskId = randomUUID();
  const now = new Date();
  // The model comes from the process's cache; the hold statement checks that it is still the
  // stored one (and still the latest version, for an unversioned submit), else it is looked
  // up again and the hold retried.
  let model = await findModel(em, req.model, req.version, false);
  for (let attempt = 0; ; attempt++) {
    const { input, pricing } = taskInputOf(model, req.input);
    const price = escrowOf(pricing);
    // Started here by the hold itself when this process's dispatcher can (local-start.ts).
    const carried = jobInput(pricing, input);
    const start =
      carried && deps.local && !lacksFunds(account.id)
        ? await deps.local.prepare(taskId, model.id, carried)
        : undefined;
    const hold = {
      taskId,
      accountId: account.id,
      modelId: model.id,
      idempotencyKey: key ?? null,
      priority,
      input,
      price,
      pricing,
      availableId: accounts.available,
      heldId: accounts.held,
      memo: `escrow for ${model.name}@${model.version}`,
      now,
      running: start?.running,
      ...(attempt < 2 ? { modelCheck: { manifest: model.manifest, latest: req.version === undefined } } : {}),
    };
    let answer: HeldAnswer | undefined;
    let completion: CaptureRequest | undefined;
    let outcome: { held: boolean; balance: bigint; stale: boolean };
    try {
      // Its answer already in: held, completed and captured by one statement (answeredHere).
      answer = start && (await start.answer());
      completion = answer ? await answeredCapture(em, hold, answer) : undefined;
      outcome =
        answer && completion
          ? await holdAndCapture(
              em,
              { ...hold, running: { nodeId: answer.nodeId, actorId: answer.actorId } },
              completion,
            )
          : await holdAndCreateTask(em, hold);
    } catch (err) {
      const abandoned = start?.abandon();
      if (isDeadlock(err) && attempt < 3) {
        await abandoned; // this task id's lease is taken again by the next try
        continue;
      }
      if (key && isUniqueViolation(err)) {
        const existing = await findByKey(em.fork(), account, key);
        if (existing) return resumed(deps, sameRequestOrConflict(existing, req));
      }
      throw err;
    }
    // Given back before a stale model's next try, which may take this task id's lease again.
    if (!outcome.held || outcome.stale) await start?.abandon();
    if (outcome.stale) {
      model = await findModel(em, req.model, req.version, true);
      continue;
    }
    if (!outcome.held) {
      markLacksFunds(account.id);
      throw new ApiError(
        "INSUFFICIENT_FUNDS",
        `balance ${outcome.balance} is less than the escrow ${price}`,
        {
          balance: outcome.balance.toString(),
          price: price.toString(),
        },
      );
    }
    const written = { taskId, account, model, key, priority, input, price, pricing, now };
    if (start && answer && completion) return answeredHere(start, written, answer, completion);
    return start && carried ? startedHere(start, written, carried) : queued(deps, written);
  }
}

/**
 * Accounts whose hold lately failed for funds: their next tasks are not started ahead of the
 * hold (a call sent for a task whose hold then fails is aborted, never answered or charged, but
 * a provider may have computed it), for LACKS_FUNDS_MS or until this process forgets them.
 */
const LACKS_FUNDS_MS = 60_000;
const LACKS_FUNDS_MAX = 10_000;
const lacking = new Map<string, number>();

function lacksFunds(accountId: string): boolean {
  const at = lacking.get(accountId);
  if (at === undefined) return false;
  if (Date.now() - at < LACKS_FUNDS_MS) return true;
  lacking.delete(accountId);
  return false;
}

function markLacksFunds(accountId: string): void {
  if (lacking.size >= LACKS_FUNDS_MAX) lacking.clear();
  lacking.set(accountId, Date.now());
}

/**
 * The capture of a task whose call answered before its hold (as the dispatcher's would be:
 * settle.ts captureOf, one attempt, the price from the answer's usage).
 */
function answeredCapture(em: EntityManager, hold: HoldRequest, answer: HeldAnswer): Promise<CaptureRequest> {
  const maxPrice = hold.price;
  return captureOf(
    em,
    {
      id: hold.taskId,
      accountId: hold.accountId,
      pricing: pricingOfTask({ pricing: hold.pricing as Task["pricing"], maxPrice }),
      maxPrice,
    },
    {
      result: answer.outputs,
      usage: { completed: true, computeMs: answer.inferenceMs },
      executionProvider: answer.executionProvider,
      inferenceMs: answer.inferenceMs,
      nodeId: answer.nodeId,
      providerId: answer.providerId,
    },
    answer.platformFeeBps,
  );
}

/**
 * Answered before its hold (NEUROGRID_ANSWER_WAIT_MS): one statement held, completed and
 * captured the task (ledger/escrow-instant.ts); SCHEDULED, RUNNING and COMPLETED are announced
 * as it is answered, COMPLETED with its result (a subscriber replays them all from the row).
 */
function answeredHere(start: HeldStart, t: WrittenTask, answer: HeldAnswer, capture: CaptureRequest): Task {
  start.finish(t.now, capture.now);
  return Object.assign(writtenTask(t), {
    status: TaskStatus.COMPLETED,
    attempts: 1,
    scheduledAt: t.now,
    startedAt: t.now,
    finishedAt: capture.now,
    result: answer.outputs,
    executionProvider: answer.executionProvider,
    inferenceMs: answer.inferenceMs,
    nodeId: answer.nodeId,
    actorId: answer.actorId,
    cost: capture.cost,
    units: capture.units,
    platformFee: capture.fee,
    providerEarning: capture.providerEarning,
  });
}

/** The hold wrote the task RUNNING on `start`'s replica: its attempt goes on in this process. */
function startedHere(start: HeldStart, t: WrittenTask, carried: Record<string, unknown>): Task {
  const task = Object.assign(writtenTask(t), {
    status: TaskStatus.RUNNING,
    attempts: 1,
    scheduledAt: t.now,
    startedAt: t.now,
  });
  const charge = chargeOf(t);
  const started = {
    id: t.taskId,
    accountId: t.account.id,
    modelId: t.model.id,
    input: t.input as Record<string, unknown>,
    pricing: charge.pricing,
    maxPrice: t.price,
    at: t.now,
  };
  start.confirm(started, {
    taskId: t.taskId,
    priority: t.priority,
    modelId: t.model.id,
    input: carried,
    charge,
  });
  return task;
}

async function queued(deps: SubmitDeps, t: WrittenTask): Promise<Task> {
  const task = writtenTask(t);
  await enqueueTasks(deps, [
    {
      taskId: task.id,
      priority: t.priority,
      modelId: t.model.id,
      input: jobInput(t.pricing, t.input),
      charge: chargeOf(t),
    },
  ]);
  return task;
}

/** What its job carries of a task's charge (task-queue.ts TaskCharge). */
export function chargeOf(t: Pick<WrittenTask, "account" | "price" | "pricing">): TaskCharge {
  return {
    accountId: t.account.id,
    maxPrice: t.price.toString(),
    pricing: pricingOfTask({ pricing: t.pricing, maxPrice: t.price }),
  };
}

/** What the hold statement inserted for one task. */
export interface WrittenTask {
  taskId: string;
  account: Account;
  model: Model;
  key: string | undefined;
  priority: number;
  input: unknown;
  price: bigint;
  pricing: Task["pricing"];
  now: Date;
}

/**
 * The row as written (no read back): the same values the hold statement inserted. A plain
 * object with the entity's fields, read only (by the answer), never persisted: a `new Task()`
 * goes through MikroORM's per-property setters, a cost every submitted task paid for nothing.
 */
export function writtenTask(t: WrittenTask): Task {
  const task: Pick<
    Task,
    | "id"
    | "account"
    | "model"
    | "idempotencyKey"
    | "priority"
    | "status"
    | "input"
    | "maxPrice"
    | "pricing"
    | "attempts"
    | "createdAt"
  > = {
    id: t.taskId,
    account: t.account,
    model: t.model,
    idempotencyKey: t.key,
    priority: t.priority,
    status: TaskStatus.QUEUED,
    input: t.input as Record<string, unknown>,
    maxPrice: t.price,
    pricing: t.pricing,
    attempts: 0,
    createdAt: t.now,
  };
  return task as Task;
}

/**
 * The same key again: the first submission may have died between its commit and its enqueue
 * (an api killed mid-request), so an unfinished task gets its job now (a no-op if it has one).
 */
export async function resumed(deps: SubmitDeps, task: Task): Promise<Task> {
  if (!isFinalTaskStatus(task.status)) await deps.queue.ensureJob(task.id, task.priority);
  return task;
}

async function findByKey(em: EntityManager, account: Account, key: string): Promise<Task | null> {
  return em.findOne(Task, { account: account.id, idempotencyKey: key }, { populate: ["model"] });
}

export function sameRequestOrConflict(existing: Task, req: SubmitTaskRequest): Task {
  const sameModel =
    existing.model.name === req.model &&
    (req.version === undefined || existing.model.version === req.version);
  if (
    !sameModel ||
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
 * again is safe. (A batch's hold writes its tasks before it locks the client's accounts, a
 * single hold locks them first: one idempotency key used by both at once can deadlock them.)
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
