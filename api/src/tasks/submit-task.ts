import { randomUUID } from "node:crypto";
import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { validateTensorMap } from "@neurogrid/cluster/models";
import { isFinalTaskStatus, TaskStatus } from "@neurogrid/schema";
import { type Account, Model, Task } from "../db/entities/index.js";
import { ApiError, badInput, notFound } from "../errors.js";
import { clientAccounts } from "../ledger/accounts.js";
import { holdAndCreateTask } from "../ledger/escrow.js";
import { escrowOf, pricingOf } from "../pricing/pricing.js";
import type { TaskEventBus } from "./task-events.js";
import type { TaskQueue } from "./task-queue.js";

/**
 * submitTask: validate, then in ONE SQL statement (ledger/escrow.ts) hold the price in escrow
 * and write the task QUEUED; after commit, enqueue its job (job id = task id), announce QUEUED.
 *
 * The idempotency key: the same key from the same account gives the same task and one charge,
 * enforced by the unique (account_id, idempotency_key) constraint, so two concurrent submits
 * with one key cannot both commit. Reusing a key for a different request is CONFLICT.
 *
 * If the process dies between commit and enqueue, the dispatcher's recovery sweep enqueues the
 * QUEUED task on start (the job id makes that safe to repeat).
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
  const model = await findModel(em, req.model, req.version);
  const valid = validateTensorMap(model.manifest.inputs, req.input);
  if (!valid.ok)
    throw badInput(`input does not match model ${model.name}@${model.version}: ${valid.message}`);

  const accounts = await clientAccounts(em, account.id);
  const pricing = pricingOf(model.manifest);
  const price = escrowOf(pricing);
  const taskId = randomUUID();
  const now = new Date();
  let outcome: { held: boolean; balance: bigint };
  try {
    outcome = await holdAndCreateTask(em, {
      taskId,
      accountId: account.id,
      modelId: model.id,
      idempotencyKey: key ?? null,
      priority,
      input: req.input,
      price,
      pricing,
      availableId: accounts.available,
      heldId: accounts.held,
      memo: `escrow for ${model.name}@${model.version}`,
      now,
    });
  } catch (err) {
    if (key && isUniqueViolation(err)) {
      const existing = await findByKey(em.fork(), account, key);
      if (existing) return resumed(deps, sameRequestOrConflict(existing, req));
    }
    throw err;
  }
  if (!outcome.held) {
    throw new ApiError("INSUFFICIENT_FUNDS", `balance ${outcome.balance} is less than the escrow ${price}`, {
      balance: outcome.balance.toString(),
      price: price.toString(),
    });
  }
  // The row as written (no read back): the same values the statement inserted.
  const task = Object.assign(new Task(), {
    id: taskId,
    account,
    model,
    idempotencyKey: key,
    priority,
    status: TaskStatus.QUEUED,
    input: req.input as Record<string, unknown>,
    maxPrice: price,
    pricing,
    attempts: 0,
    createdAt: now,
  });
  await deps.queue.enqueue(task.id, priority);
  await deps.events.publish({ taskId: task.id, status: TaskStatus.QUEUED, at: task.createdAt.toISOString() });
  return task;
}

/**
 * The same key again: the first submission may have died between its commit and its enqueue
 * (an api killed mid-request), so an unfinished task gets its job now (a no-op if it has one).
 */
async function resumed(deps: SubmitDeps, task: Task): Promise<Task> {
  if (!isFinalTaskStatus(task.status)) await deps.queue.ensureJob(task.id, task.priority);
  return task;
}

async function findByKey(em: EntityManager, account: Account, key: string): Promise<Task | null> {
  return em.findOne(Task, { account: account.id, idempotencyKey: key }, { populate: ["model"] });
}

function sameRequestOrConflict(existing: Task, req: SubmitTaskRequest): Task {
  const sameModel =
    existing.model.name === req.model &&
    (req.version === undefined || existing.model.version === req.version);
  if (!sameModel || JSON.stringify(existing.input) !== JSON.stringify(req.input)) {
    throw new ApiError("CONFLICT", "this idempotency key was already used for a different request", {
      taskId: existing.id,
    });
  }
  return existing;
}

async function findModel(em: EntityManager, name: string, version?: string): Promise<Model> {
  const model = version
    ? await em.findOne(Model, { name, version })
    : await em.findOne(Model, { name }, { orderBy: { createdAt: "desc" } });
  if (!model) throw notFound(version ? `model ${name}@${version}` : `model ${name}`);
  return model;
}

/** The unique (account, idempotency key) constraint, however the driver reports it. */
function isUniqueViolation(err: unknown): boolean {
  if (err instanceof UniqueConstraintViolationException) return true;
  return (err as { code?: string } | null)?.code === "23505";
}
