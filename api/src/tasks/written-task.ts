import { type Pricing, TaskStatus } from "@neurogrid/schema";
import type { Model, Task } from "../db/entities/index.js";
import type { HoldTask } from "../ledger/hold-statement.js";
import { escrowOf } from "../pricing/pricing.js";
import { jobInput, type TaskCharge, type TaskJob } from "./task-queue.js";
import { pricingOfTask } from "./task-ref.js";

/**
 * One submitted task as the hold writes it: what the hold statement inserts of it
 * (holdTaskOf), the row as written, never read back (writtenTask), and its job (jobOf). Shared
 * by submitTask and submitTasks.
 */
/** A task's job: its model, its input when small (jobInput) and its charge (to `accountId`). */
export function jobOf(task: Task, accountId: string): TaskJob {
  return {
    taskId: task.id,
    priority: task.priority,
    modelId: task.model.id,
    input: jobInput(task.pricing, task.input),
    charge: chargeOf({
      accountId,
      price: task.maxPrice,
      pricing: task.pricing,
      verify: task.verify,
    }),
  };
}

/**
 * A task's escrow: its model's (pricing.ts escrowOf), twice when the client asked for a check
 * (`verify`), which costs a second run of the task.
 */
export function escrowFor(pricing: Pricing, verify: boolean): bigint {
  return escrowOf(pricing) * (verify ? 2n : 1n);
}

/** A hold's memo. */
export function memoOf(model: Model): string {
  return `escrow for ${model.name}@${model.version}`;
}

/** What the hold statement writes of one task (ledger/hold-statement.ts). */
export function holdTaskOf(t: Omit<WrittenTask, "accountId" | "now">): HoldTask {
  return {
    taskId: t.taskId,
    modelId: t.model.id,
    idempotencyKey: t.key ?? null,
    priority: t.priority,
    input: t.input,
    pricing: t.pricing,
    escrow: t.price,
    verify: t.verify === true,
    memo: memoOf(t.model),
  };
}

/** What its job carries of a task's charge (task-queue.ts TaskCharge). */
function chargeOf(t: Pick<WrittenTask, "accountId" | "price" | "pricing" | "verify">): TaskCharge {
  return {
    accountId: t.accountId,
    maxPrice: t.price.toString(),
    pricing: pricingOfTask({ pricing: t.pricing, maxPrice: t.price }),
    ...(t.verify ? { verify: true } : {}),
  };
}

/** What the hold statement inserted for one task. */
export interface WrittenTask {
  taskId: string;
  accountId: string;
  model: Model;
  key: string | undefined;
  priority: number;
  input: unknown;
  price: bigint;
  pricing: Task["pricing"];
  /** The client asked for a check (`verify`): `price` is twice the model's escrow. */
  verify?: boolean | undefined;
  now: Date;
}

/**
 * The row as written (no read back): the same values the hold statement inserted. A plain
 * object with the entity's fields, read only (by the answer), never persisted: a `new Task()`
 * goes through MikroORM's per-property setters, a cost every submitted task paid for nothing.
 * Its account is not among them (the answer never reads it; the caller has its id): no entity
 * of the account is made for a submit.
 */
export function writtenTask(t: WrittenTask): Task {
  const task: Pick<
    Task,
    | "id"
    | "model"
    | "idempotencyKey"
    | "priority"
    | "status"
    | "input"
    | "maxPrice"
    | "pricing"
    | "verify"
    | "attempts"
    | "createdAt"
  > = {
    id: t.taskId,
    model: t.model,
    idempotencyKey: t.key,
    priority: t.priority,
    status: TaskStatus.QUEUED,
    input: t.input as Record<string, unknown>,
    maxPrice: t.price,
    pricing: t.pricing,
    verify: t.verify === true,
    attempts: 0,
    createdAt: t.now,
  };
  return task as Task;
}
