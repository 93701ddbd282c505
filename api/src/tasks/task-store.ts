import type { EntityManager } from "@mikro-orm/postgresql";
import { YoungTables } from "../db/young-tables.js";
import { clientAccounts, platformFeesAccount, providerPendingAccount } from "../ledger/accounts.js";
import { type HoldOutcome, type HoldUnit, holdTasks } from "../ledger/hold-statement.js";
import { captureLegs, captureSplit, refundLegs } from "../ledger/movements.js";
import { type SettleRow, settleTasks } from "../ledger/settle-statement.js";
import type { Usage } from "../pricing/pricing.js";
import { GroupCommit } from "./group-commit.js";
import { type StartedTask, type StartRequest, startTasks } from "./start-statement.js";
import { movesFrom, statesLiteral } from "./task-lifecycle.js";
import type { TaskRef } from "./task-ref.js";

/**
 * The task store: the lifecycle's writes (task-lifecycle.ts), one method per write, each a group
 * commit (group-commit.ts): the writes of one kind that arrive while one is in flight — from any
 * number of requests and attempts — are written together by the next statement. A single task
 * is a group of one. Each write is one statement (ledger/hold-statement.ts, start-statement.ts,
 * ledger/settle-statement.ts) guarded by the states the lifecycle allows, so grouping changes
 * round trips and WAL flushes, never what a task may do.
 */
export interface TaskStore {
  /** `hold`: the unit's tasks written QUEUED with their escrow held, or nothing. */
  hold(unit: HoldUnit): Promise<HoldOutcome>;
  /** `schedule` / `start`: null when the task is final or gone. */
  start(req: StartRequest): Promise<StartedTask | null>;
  /** `complete` / `cutShort`: when this call captured it; null: it was final already. */
  capture(req: CaptureRequest): Promise<Date | null>;
  /** `fail` / `cancel`: when this call refunded it; null: it was final already. */
  refund(req: RefundRequest): Promise<Date | null>;
}

/** How an attempt ended, for its capture. */
export interface CaptureRequest {
  task: TaskRef;
  /** COMPLETED; FAILED or CANCELLED when cut short, charged for what ran (usage). */
  status: "COMPLETED" | "FAILED" | "CANCELLED";
  error?: string | undefined;
  result: Record<string, unknown>;
  usage: Usage;
  executionProvider: string;
  inferenceMs: number;
  nodeId: string;
  /** The provider who owns the node (credited). */
  providerId: string;
  platformFeeBps: number;
  /** The attempt's start, when no statement wrote it (deferred-start.ts). */
  started?: SettleRow["started"];
  /** Drawn for a spot check: written SAMPLED with the capture (settle-statement.ts). */
  sampled?: boolean | undefined;
  /** The actor incarnation that answered: captured only if the task records it (settle-statement.ts). */
  servedBy?: SettleRow["servedBy"];
}

export interface RefundRequest {
  task: Pick<TaskRef, "id" | "accountId" | "maxPrice">;
  status: "FAILED" | "CANCELLED";
  error: string;
}

/** Writes of one kind in flight at once, and the most one statement takes. */
const STORE_GROUP = { maxBatch: 128, maxInFlight: 2 } as const;

/**
 * The tables the lifecycle's statements read and write, analyzed as tasks are held here while
 * they are young (db/young-tables.ts): from 1,024 tasks, at each doubling, up to 131,072.
 */
const LIFECYCLE_TABLES = {
  tables: ["tasks", "ledger_transactions", "ledger_entries", "ledger_accounts", "task_verifications"],
  first: 1024,
  last: 131_072,
} as const;

const OPEN = statesLiteral(movesFrom("complete"));
const STARTABLE = statesLiteral(movesFrom("start"));

export class PgTaskStore implements TaskStore {
  readonly #holds: GroupCommit<HoldUnit, HoldOutcome>;
  readonly #starts: GroupCommit<StartRequest, StartedTask | null>;
  readonly #settles: GroupCommit<SettleRow, boolean>;
  readonly #em: EntityManager;
  readonly #young: YoungTables;

  /** `em`: only its connection pool is used (prepared statements; no entity, no identity map). */
  constructor(em: EntityManager, log?: (msg: string) => void) {
    this.#em = em;
    this.#young = new YoungTables(em, { ...LIFECYCLE_TABLES, log });
    this.#holds = new GroupCommit({
      one: async (u) => (await holdTasks(em, [u]))[0] as HoldOutcome,
      many: (us) => holdTasks(em, us),
      ...STORE_GROUP,
    });
    this.#starts = new GroupCommit({
      one: async (r) => (await startTasks(em, STARTABLE, [r]))[0] ?? null,
      many: (rs) => startTasks(em, STARTABLE, rs),
      ...STORE_GROUP,
    });
    this.#settles = new GroupCommit({
      one: async (r) => (await settleTasks(em, OPEN, [r]))[0] === true,
      many: (rs) => settleTasks(em, OPEN, rs),
      ...STORE_GROUP,
    });
  }

  hold(unit: HoldUnit): Promise<HoldOutcome> {
    this.#young.wrote(unit.tasks.length);
    return this.#holds.submit(unit);
  }

  start(req: StartRequest): Promise<StartedTask | null> {
    return this.#starts.submit(req);
  }

  async capture(req: CaptureRequest): Promise<Date | null> {
    const { task } = req;
    const split = captureSplit(task.pricing, req.usage, req.platformFeeBps);
    const [client, provider, platform] = await Promise.all([
      clientAccounts(this.#em, task.accountId),
      providerPendingAccount(this.#em, req.providerId),
      platformFeesAccount(this.#em),
    ]);
    // A check the client asked for (`verify`) is paid when one is drawn: the task's cost again.
    const extra = req.sampled && task.verify ? split.cost : 0n;
    const now = new Date();
    const settled = await this.#settles.submit({
      taskId: task.id,
      movement: "capture",
      escrow: task.maxPrice,
      status: req.status,
      error: req.error,
      result: req.result,
      executionProvider: req.executionProvider,
      inferenceMs: req.inferenceMs,
      nodeId: req.nodeId,
      cost: split.cost,
      units: split.units,
      fee: split.fee,
      providerEarning: split.providerEarning,
      legs: captureLegs(client, task.maxPrice, split, { provider, platform }, extra),
      memo: `task ${task.id} on node ${req.nodeId}`,
      now,
      started: req.started,
      sampled: req.sampled,
      servedBy: req.servedBy,
    });
    return settled ? now : null;
  }

  async refund(req: RefundRequest): Promise<Date | null> {
    const client = await clientAccounts(this.#em, req.task.accountId);
    const now = new Date();
    const settled = await this.#settles.submit({
      taskId: req.task.id,
      movement: "refund",
      escrow: req.task.maxPrice,
      status: req.status,
      error: req.error,
      cost: 0n,
      units: 0n,
      legs: refundLegs(client, req.task.maxPrice),
      memo: `task ${req.task.id} ${req.status.toLowerCase()}: refund`,
      now,
    });
    return settled ? now : null;
  }
}
