import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { TaskStatus, VerificationStatus } from "@neurogrid/schema";
import { DEFAULT_VERIFICATION_PENALTY_FACTOR } from "../config.js";
import { runPrepared } from "../db/prepared.js";
import {
  cappedReleases,
  moneyTail,
  PLATFORM_FEES,
  pendingShare,
  RELEASE_DUE,
  releaseLegs,
  releaseMoves,
  verificationRefund,
  verificationRefundMoves,
} from "../ledger/verification-money.js";
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
  /** The penalty of a node at fault, times the task's provider share (config.ts). */
  penaltyFactor?: number | undefined;
}

/** Tasks one window release statement moves, at most; a sweep runs a few while they are full. */
const RELEASE_BATCH = 1000;
const RELEASE_ROUNDS = 10;
/** Tries of a verdict whose caps met a pending balance moved meanwhile (the accounts' check). */
const CAP_TRIES = 3;

const REFUND = verificationRefundMoves("vr");

const SAMPLE = `insert into task_verifications (task_id, status, sampled_at, updated_at)
  select id, 'SAMPLED', $2::timestamptz, $2::timestamptz from tasks where id = $1::uuid and status = $3::text
  on conflict (task_id) do nothing returning task_id`;

// The check's write; a task it VERIFIED has its pending share released in the same statement.
const CHECKED = `with v as (
    update task_verifications
       set status = $2::text, checked_by = $3::text, check_result = $4::jsonb, verdict = $5::text,
           checked_at = $6::timestamptz, updated_at = $6::timestamptz
     where task_id = $1::uuid and status = $7::text returning task_id, status
  ), verified as (select task_id from v where status = 'VERIFIED'),
  ${pendingShare("share", "verified")}, ${cappedReleases("re", "share")},
  moves as (${releaseMoves("re", "verified")}),
  legs as (${releaseLegs("re")}),
  ${moneyTail("$6::timestamptz")}
  select task_id, (select count(*) from balances) as accounts from v`;

// A sample abandoned gives a client that asked for the check (verify) its extra run back.
const ABANDON = `with a as (
    update task_verifications set status = 'UNCHECKED', verdict = $2::text, updated_at = $3::timestamptz
     where task_id = $1::uuid and status = $4::text returning task_id
  ), ${verificationRefund("vr", "a")},
  moves as (${REFUND.moves}),
  legs as (${REFUND.legs}),
  ${moneyTail("$3::timestamptz")}
  select task_id, (select count(*) from balances) as accounts from a`;

// Checks whose runs cannot still be under way (their process died): a sample is abandoned, a
// dispute resolved with no fault (no referee spoke). The lifecycle's guards, as the moves above;
// an abandoned sample's verify extra refunded, as ABANDON's (a dispute's check ran: it was paid
// for; its share is released by the window's release, RELEASE_DUE).
const SWEEP = `with s as (
    update task_verifications set status = 'UNCHECKED', verdict = $2::text, updated_at = $3::timestamptz
     where status = 'SAMPLED' and updated_at < $1::timestamptz returning task_id, 'UNCHECKED' as moved
  ), d as (
    update task_verifications set status = 'RESOLVED', verdict = $4::text, resolved_at = $3::timestamptz,
           updated_at = $3::timestamptz
     where status = 'DISPUTED' and updated_at < $1::timestamptz returning task_id, 'RESOLVED' as moved
  ), ${verificationRefund("vr", "s")},
  moves as (${REFUND.moves}),
  legs as (${REFUND.legs}),
  ${moneyTail("$3::timestamptz")}
  select task_id, moved from s where (select count(*) from balances) >= 0
  union all select task_id, moved from d`;

// The referee's result replaces the task's only when the task's own node was at fault; the
// fault and its money (ledger/verification-money.ts) are written in the same statement, so a
// resolution, its fault and its movements are one fact: the task's node at fault forfeits the
// task's pending share (the client refunded the whole cost); the checking node at fault, or no
// fault, releases it; the node at fault (either) pays the penalty from its provider's pending
// balance, capped at what it holds after the forfeit. The task's own result is kept as evidence
// first (every part of the statement reads the rows as they were before it).
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
  ), k as materialized (
    select x.id as task_id, x.account_id, x.node_id, coalesce(x.platform_fee, 0) as fee,
           coalesce(x.provider_earning, 0) as earning
      from tasks x where x.id in (select task_id from v)
  ), ${pendingShare("share", "k")},
  fo as materialized (
    select gen_random_uuid() as tx, s.task_id, s.pending_id, least(s.amount, s.pending_balance) as amount,
           s.amount - least(s.amount, s.pending_balance) as shortfall, k.fee, ca.id as client_id
      from share s join k on k.task_id = s.task_id
      join ledger_accounts ca on ca.kind = 'client_available' and ca.owner_id = k.account_id
     where k.node_id = $4::text
  ), released as (select s.* from share s join k on k.task_id = s.task_id where k.node_id is distinct from $4::text),
  ${cappedReleases("re", "released")},
  pe as materialized (
    select gen_random_uuid() as tx, k.task_id, pa.id as pending_id,
           least(floor(k.earning * $9::numeric)::bigint,
                 pa.balance - coalesce((select sum(fo.amount) from fo where fo.pending_id = pa.id), 0)) as amount
      from k join nodes n on n.id = $4::text
      join ledger_accounts pa on pa.kind = 'provider_pending' and pa.owner_id = n.provider_id
  ), moves as (
    select tx, 'forfeit' as kind, task_id, 'task ' || task_id || ': wrong result, forfeited to the client' as memo from fo
    union all select tx, 'release', task_id, 'task ' || task_id || ': resolved, earnings released' from re where amount > 0
    union all select tx, 'penalty', task_id, 'task ' || task_id || ': penalty of node ' || $4::text from pe where amount > 0
  ), legs as (
    select tx, pending_id as account_id, -amount as amount from fo
    union all select tx, ${PLATFORM_FEES}, -(fee + shortfall) from fo
    union all select tx, client_id, amount + shortfall + fee from fo
    union all ${releaseLegs("re")}
    union all select tx, pending_id, -amount from pe where amount > 0
    union all select tx, ${PLATFORM_FEES}, amount from pe where amount > 0
  ), ${moneyTail("$6::timestamptz")}
  select (select count(*) from v) as moved, (select count(*) from t) as replaced, (select count(*) from f) as faults,
         (select count(*) from mv) as movements, (select count(*) from balances) as accounts`;

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
