import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { TaskStatus, VerificationStatus } from "@neurogrid/schema";
import { runPrepared } from "../db/prepared.js";
import type { TaskEventBus } from "../tasks/task-events.js";
import { verificationMovesFrom } from "./verification-lifecycle.js";

/**
 * The writes of result verification's lifecycle (verification-lifecycle.ts), each ONE statement
 * guarded by the state its event moves from, so an event raised twice (a retried job, two
 * processes) moves the task once; each move that happened is announced on the task's channel
 * (taskProgress) after its write. A task's verification as GraphQL reads it: `verificationOf`.
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
}

const SAMPLE = `insert into task_verifications (task_id, status, sampled_at, updated_at)
  select id, 'SAMPLED', $2::timestamptz, $2::timestamptz from tasks where id = $1::uuid and status = $3::text
  on conflict (task_id) do nothing returning task_id`;

const CHECKED = `update task_verifications
  set status = $2::text, checked_by = $3::text, check_result = $4::jsonb, verdict = $5::text,
      checked_at = $6::timestamptz, updated_at = $6::timestamptz
  where task_id = $1::uuid and status = $7::text returning task_id`;

const ABANDON = `update task_verifications set status = 'UNCHECKED', verdict = $2::text, updated_at = $3::timestamptz
  where task_id = $1::uuid and status = $4::text returning task_id`;

// Checks whose runs cannot still be under way (their process died): a sample is abandoned, a
// dispute resolved with no fault (no referee spoke). The lifecycle's guards, as the moves above.
const SWEEP = `with s as (
    update task_verifications set status = 'UNCHECKED', verdict = $2::text, updated_at = $3::timestamptz
     where status = 'SAMPLED' and updated_at < $1::timestamptz returning task_id, 'UNCHECKED' as moved
  ), d as (
    update task_verifications set status = 'RESOLVED', verdict = $4::text, resolved_at = $3::timestamptz,
           updated_at = $3::timestamptz
     where status = 'DISPUTED' and updated_at < $1::timestamptz returning task_id, 'RESOLVED' as moved
  )
  select task_id, moved from s union all select task_id, moved from d`;

// The referee's result replaces the task's only when the task's own node was at fault; the
// fault is recorded in the same statement, so a resolution and its fault are one fact. The
// task's own result is kept as evidence first (every part of the statement reads the rows as
// they were before it).
const RESOLVE = `with v as (
    update task_verifications
       set status = 'RESOLVED', referee = $2::text, referee_result = $3::jsonb, at_fault = $4::text,
           verdict = $5::text, resolved_at = $6::timestamptz, updated_at = $6::timestamptz,
           task_result = (select result from tasks where id = $1::uuid)
     where task_id = $1::uuid and status = $7::text returning task_id
  ), t as (
    update tasks set result = $3::jsonb where id in (select task_id from v) and node_id = $4::text returning id
  ), f as (
    insert into node_faults (id, node_id, task_id, kind, detail, created_at)
    select $8::uuid, $4::text, v.task_id, 'wrong_result', $5::text, $6::timestamptz from v where $4::text is not null
    returning id
  )
  select (select count(*) from v) as moved, (select count(*) from t) as replaced, (select count(*) from f) as faults`;

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
    const rows = await runPrepared(this.#deps.em, "verification_checked", CHECKED, [
      taskId,
      to,
      check.checkedBy,
      JSON.stringify(check.result),
      check.verdict,
      now,
      verificationMovesFrom(check.agree ? "agree" : "disagree"),
    ]);
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

  /** DISPUTED -> RESOLVED with the referee's result. */
  async resolve(taskId: string, resolution: DisputeResolution): Promise<boolean> {
    const now = this.#deps.now();
    const [row] = await runPrepared<{ moved: string }>(this.#deps.em, "verification_resolve", RESOLVE, [
      taskId,
      resolution.referee ?? null,
      JSON.stringify(resolution.refereeResult),
      resolution.atFault ?? null,
      resolution.verdict,
      now,
      verificationMovesFrom("resolve"),
      randomUUID(),
    ]);
    return this.#announce(Number(row?.moved ?? 0) > 0, taskId, VerificationStatus.RESOLVED, now);
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
