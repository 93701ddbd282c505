import { TaskStatus } from "@neurogrid/schema";
import type { HoldOutcome, HoldUnit } from "../ledger/hold-statement.js";
import { captureLegs, captureSplit, type Leg, refundLegs } from "../ledger/movements.js";
import type { StartedTask, StartRequest } from "./start-statement.js";
import { type LifecycleEvent, type TaskState, transition } from "./task-lifecycle.js";
import type { CaptureRequest, RefundRequest, TaskStore } from "./task-store.js";

/**
 * An in-memory TaskStore for tests: the lifecycle (task-lifecycle.ts) applied to a map of tasks
 * and a ledger of movements, as the PostgreSQL store applies it with guarded statements. Every
 * write takes the task's state through `transition`; a write the lifecycle refuses writes
 * nothing.
 */
export interface FakeTask {
  id: string;
  accountId: string;
  modelId: string;
  input: Record<string, unknown>;
  state: TaskState;
  escrow: bigint;
  pricing: StartedTask["pricing"];
  attempts: number;
  history: TaskState[];
  nodeId?: string | undefined;
}

export interface FakeMovement {
  taskId: string;
  kind: "hold" | "capture" | "refund";
  legs: Leg[];
}

export class FakeTaskStore implements TaskStore {
  readonly tasks = new Map<string, FakeTask>();
  readonly movements: FakeMovement[] = [];
  /** Balances by account id (client accounts start where the test puts them). */
  readonly balances = new Map<string, bigint>();
  async hold(unit: HoldUnit): Promise<HoldOutcome> {
    const total = unit.tasks.reduce((sum, t) => sum + t.escrow, 0n);
    const balance = this.balances.get(unit.accounts.available) ?? 0n;
    if (balance < total) return { held: false, stale: false, balance, total };
    if (unit.tasks.some((t) => this.tasks.has(t.taskId))) throw new Error("duplicate task id");
    for (const t of unit.tasks) {
      const step = transition(undefined, { type: "hold" });
      const task: FakeTask = {
        id: t.taskId,
        accountId: unit.accountId,
        modelId: t.modelId,
        input: t.input as Record<string, unknown>,
        state: step.next as TaskState,
        escrow: t.escrow,
        pricing: t.pricing as StartedTask["pricing"],
        attempts: 0,
        history: [step.next as TaskState],
      };
      this.tasks.set(t.taskId, task);
      this.#move(t.taskId, "hold", [
        { accountId: unit.accounts.available, amount: -t.escrow },
        { accountId: unit.accounts.held, amount: t.escrow },
      ]);
    }
    return { held: true };
  }

  async start(req: StartRequest): Promise<StartedTask | null> {
    const task = this.tasks.get(req.taskId);
    if (!task || !this.#apply(task, { type: req.running ? "start" : "schedule" })) return null;
    task.attempts = req.attempts;
    if (req.running) task.nodeId = req.running.nodeId;
    return {
      id: task.id,
      accountId: task.accountId,
      modelId: task.modelId,
      input: task.input,
      pricing: task.pricing,
      maxPrice: task.escrow,
      at: req.at ?? new Date(),
    };
  }

  async capture(req: CaptureRequest): Promise<Date | null> {
    const task = this.tasks.get(req.task.id);
    if (!task) return null;
    if (req.started && task.modelId !== req.started.modelId) return null;
    const event: LifecycleEvent =
      req.status === "COMPLETED" ? { type: "complete" } : { type: "cutShort", status: req.status };
    if (!this.#apply(task, event)) return null;
    const split = captureSplit(req.task.pricing, req.usage, req.platformFeeBps);
    this.#move(
      task.id,
      "capture",
      captureLegs(clientOf(task.accountId), req.task.maxPrice, split, {
        provider: `pending:${req.providerId}`,
        platform: "platform-fees",
      }),
    );
    return new Date();
  }

  async refund(req: RefundRequest): Promise<Date | null> {
    const task = this.tasks.get(req.task.id);
    if (!task || !this.#apply(task, { type: req.status === TaskStatus.CANCELLED ? "cancel" : "fail" }))
      return null;
    this.#move(task.id, "refund", refundLegs(clientOf(task.accountId), req.task.maxPrice));
    return new Date();
  }

  /** A task's state moved by the lifecycle; false when the event does nothing to it. */
  #apply(task: FakeTask, event: LifecycleEvent): boolean {
    const step = transition(task.state, event);
    if (step.writes.length === 0) return false;
    task.state = step.next as TaskState;
    task.history.push(task.state);
    return true;
  }

  #move(taskId: string, kind: FakeMovement["kind"], legs: Leg[]): void {
    this.movements.push({ taskId, kind, legs });
    for (const l of legs) this.balances.set(l.accountId, (this.balances.get(l.accountId) ?? 0n) + l.amount);
  }
}

/** A client's accounts in the fake ledger. */
export function clientOf(accountId: string): { available: string; held: string } {
  return { available: `available:${accountId}`, held: `held:${accountId}` };
}
