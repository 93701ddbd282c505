/**
 * The statements of result verification's writes (verification-store.ts runs them): each move of
 * the lifecycle (verification-lifecycle.ts) guarded by the state it moves from, with the money
 * the move causes (ledger/verification-money.ts) in the same statement.
 */
import {
  cappedReleases,
  moneyTail,
  PLATFORM_FEES,
  pendingShare,
  releaseLegs,
  releaseMoves,
  verificationRefund,
  verificationRefundMoves,
} from "../ledger/verification-money.js";

const REFUND = verificationRefundMoves("vr");

export const SAMPLE = `insert into task_verifications (task_id, status, sampled_at, updated_at)
  select id, 'SAMPLED', $2::timestamptz, $2::timestamptz from tasks where id = $1::uuid and status = $3::text
  on conflict (task_id) do nothing returning task_id`;

// The check's write; a task it VERIFIED has its pending share released in the same statement.
export const CHECKED = `with v as (
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
export const ABANDON = `with a as (
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
export const SWEEP = `with s as (
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
export const RESOLVE = `with v as (
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
