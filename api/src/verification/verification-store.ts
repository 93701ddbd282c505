import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { TaskStatus, VerificationStatus } from "@neurogrid/schema";
import { DEFAULT_VERIFICATION_PENALTY_FACTOR } from "../config.js";
import { runPrepared } from "../db/prepared.js";
import { RELEASE_DUE } from "../ledger/verification-money.js";
import type { TaskEventBus } from "../tasks/task-events.js";
import { verificationMovesFrom } from "./verification-lifecycle.js";
import { ABANDON, CHECKED, RESOLVE, SAMPLE, SWEEP } from "./verification-statements.js";

/**
 * The writes of result verification's lifecycle (verification-lifecycle.ts), each ONE statement
 * (verification-statements.ts) guarded by the state its event moves from, so an event raised
 * twice (a retried job, two processes) moves the task once, with the money the move causes
 * (ledger/verification-money.ts) in the same statement; each move that happened is announced on
 * the task's channel (taskProgress) after its write. A task's verification as GraphQL reads it: `verificationOf`.
 */
export interface TaskVerification {
  status: VerificationStatus;
  /** The node whose run checked the task's result. */
  checkedBy?: string | undefined;
  /** The node whose run settled a dispute. */
  referee?: string | undefined;
  /** The node found at fault (its result disagreed with the other two). */
  atFault?: string | undefined;
  verdict?: string | undefined;
  checkResult?: unknown;
  refereeResult?: unknown;
}

export interface DisputeResolution {
  /** The referee's node; undefined when no third provider could referee. */
  referee: string | undefined;
  refereeResult: unknown;
  /** The node at fault, or undefined when no two of the three runs agree. */
  atFault: string | undefined;
  verdict: string;
}

interface Deps {
  em: EntityManager;
  events: Pick<TaskEventBus, "publish">;
  now: () => Date;
  /** The penalty of a node at fault, times the task's provider share (config.ts). */
  penaltyFactor?: number | undefined;
}

/** Tasks one window release statement moves, at most; a sweep runs a few while they are full. */
const RELEASE_BATCH = 1000;
const RELEASE_ROUNDS = 10;
/** Tries of a verdict whose caps met a pending balance moved meanwhile (the accounts' check). */
const CAP_TRIES = 3;

export class VerificationStore {
  readonly #deps: Deps;

  constructor(deps: Deps) {
    this.#deps = deps;
  }

  /**
   * UNCHECKED -> SAMPLED, for a task already COMPLETED (a task drawn as it completes is written
   * SAMPLED by its capture instead: ledger/settle-statement.ts).
   */
  async sample(taskId: string): Promise<boolean> {
    const now = this.#deps.now();
    const rows = await runPrepared(this.#deps.em, "verification_sample", SAMPLE, [
      taskId,
      now,
      TaskStatus.COMPLETED,
    ]);
    return this.#announce(rows.length > 0, taskId, VerificationStatus.SAMPLED, now);
  }

  /** SAMPLED -> VERIFIED (the check agreed) or DISPUTED (it did not). */
  async checked(
    taskId: string,
    check: { agree: boolean; checkedBy: string; result: unknown; verdict: string },
  ): Promise<boolean> {
    const now = this.#deps.now();
    const to = check.agree ? VerificationStatus.VERIFIED : VerificationStatus.DISPUTED;
    const rows = await capRetried(() =>
      runPrepared(this.#deps.em, "verification_checked", CHECKED, [
        taskId,
        to,
        check.checkedBy,
        JSON.stringify(check.result),
        check.verdict,
        now,
        verificationMovesFrom(check.agree ? "agree" : "disagree"),
      ]),
    );
    return this.#announce(rows.length > 0, taskId, to, now);
  }

  /** SAMPLED -> UNCHECKED: no check could run (the verdict says why). */
  async abandon(taskId: string, verdict: string): Promise<boolean> {
    const now = this.#deps.now();
    const rows = await runPrepared(this.#deps.em, "verification_abandon", ABANDON, [
      taskId,
      verdict,
      now,
      verificationMovesFrom("abandon"),
    ]);
    return this.#announce(rows.length > 0, taskId, VerificationStatus.UNCHECKED, now);
  }

  /** Ends every check not moved since `before` (see SWEEP); how many it ended. */
  async sweepStale(before: Date): Promise<number> {
    const now = this.#deps.now();
    const rows = await runPrepared<{ task_id: string; moved: VerificationStatus }>(
      this.#deps.em,
      "verification_sweep",
      SWEEP,
      [before, "the check did not finish", now, "the referee did not finish: no fault found"],
    );
    for (const row of rows) await this.#announce(true, row.task_id, row.moved, now);
    return rows.length;
  }

  /** DISPUTED -> RESOLVED with the referee's result, and its money (RESOLVE). */
  async resolve(taskId: string, resolution: DisputeResolution): Promise<boolean> {
    const now = this.#deps.now();
    const params = [
      taskId,
      resolution.referee ?? null,
      JSON.stringify(resolution.refereeResult),
      resolution.atFault ?? null,
      resolution.verdict,
      now,
      verificationMovesFrom("resolve"),
      randomUUID(),
      String(this.#deps.penaltyFactor ?? DEFAULT_VERIFICATION_PENALTY_FACTOR),
    ];
    const [row] = await capRetried(() =>
      runPrepared<{ moved: string }>(this.#deps.em, "verification_resolve", RESOLVE, params),
    );
    return this.#announce(Number(row?.moved ?? 0) > 0, taskId, VerificationStatus.RESOLVED, now);
  }

  /**
   * The window's release (ledger/verification-money.ts RELEASE_DUE): every task finished before
   * `before` with no check open has its pending share released, a statement per batch; how many
   * were released.
   */
  async releaseDue(before: Date): Promise<number> {
    let released = 0;
    for (let round = 0; round < RELEASE_ROUNDS; round++) {
      const [row] = await runPrepared<{ due: string; released: string }>(
        this.#deps.em,
        "verification_release_due",
        RELEASE_DUE,
        [before, RELEASE_BATCH, this.#deps.now()],
      );
      released += Number(row?.released ?? 0);
      if (Number(row?.due ?? 0) < RELEASE_BATCH) break;
    }
    return released;
  }

  async #announce(moved: boolean, taskId: string, to: VerificationStatus, at: Date): Promise<boolean> {
    if (moved) {
      await this.#deps.events.publish({
        taskId,
        status: TaskStatus.COMPLETED,
        at: at.toISOString(),
        verification: to,
      });
    }
    return moved;
  }
}

/** A task's verification (UNCHECKED when it has no row). */
export async function verificationOf(em: EntityManager, taskId: string): Promise<TaskVerification> {
  const [row] = await runPrepared<{
    status: VerificationStatus;
    checked_by: string | null;
    referee: string | null;
    at_fault: string | null;
    verdict: string | null;
    check_result: unknown;
    referee_result: unknown;
  }>(
    em,
    "verification_of",
    `select status, checked_by, referee, at_fault, verdict, check_result, referee_result
       from task_verifications where task_id = $1::uuid`,
    [taskId],
  );
  if (!row) return { status: VerificationStatus.UNCHECKED };
  return {
    status: row.status,
    checkedBy: row.checked_by ?? undefined,
    referee: row.referee ?? undefined,
    atFault: row.at_fault ?? undefined,
    verdict: row.verdict ?? undefined,
    checkResult: row.check_result ?? undefined,
    refereeResult: row.referee_result ?? undefined,
  };
}

/**
 * A verdict's statement, tried again when the accounts' check refused it: its caps read a pending
 * balance that a movement committed between that read and the lock had lowered (nothing was
 * written); the next try reads the balance afresh (ledger/verification-money.ts).
 */
async function capRetried<T>(run: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await run();
    } catch (err) {
      if (!isNegativeBalance(err) || tries >= CAP_TRIES) throw err;
    }
  }
}

/** The ledger accounts' check (no negative balance but the external account's) refused a movement. */
function isNegativeBalance(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string } | null;
  return e?.code === "23514" && e.constraint === "ledger_accounts_check";
}
