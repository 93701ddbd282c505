/**
 * The money of result verification (verification/verification-store.ts writes each move of a
 * task's check together with the movements it causes, in ONE statement: a verdict and its money
 * are one fact). The rules:
 *
 *   capture    the provider's share (cost - fee) goes to its `provider_pending` account, not to
 *              `provider_earnings`: pending earnings cannot be paid out (payouts read
 *              provider_earnings only)
 *   release    provider pending -share      provider earnings +share
 *              when the task is VERIFIED (with the agree write), RESOLVED with its own node not
 *              at fault (with the resolve write), or when its verification window has passed
 *              and no check of it is open (not SAMPLED nor DISPUTED): one statement releases
 *              every such task (releaseDueSql, run by the dispatcher's recovery sweep)
 *   forfeit    provider pending -share      platform fees -fee      client available +cost
 *              the task's node was at fault (RESOLVED): the client gets back all it paid for the
 *              task, the platform's fee included — it got a wrong result, and receives the
 *              referee's at no extra cost
 *   penalty    provider pending -penalty    platform fees +penalty
 *              taken from the pending balance of the provider of the node at fault (the task's
 *              node, or the checking node when the task's node was right): the task's share x
 *              `verificationPenaltyFactor`, capped at what that balance holds after the forfeit,
 *              so it never goes negative; the platform keeps it (it pays for the checks and
 *              referee runs nobody else pays for)
 *   verification_refund   platform fees -cost    client available +cost
 *              a task the client asked to be checked (`verify`) pays its cost twice at capture
 *              when it is drawn (the extra run's price goes to platform fees: settle-statement's
 *              capture); a check that then could not run (abandoned, or swept as stale) gives the
 *              extra back. A `verify` task no other provider could check is not drawn and is
 *              charged once.
 *
 * Each at most once per task (unique (task_id, kind) on ledger_transactions; a release or a
 * forfeit only while the capture's pending share is still there), each balanced (the entries'
 * statement trigger), no negative pending, client or fee balance (the accounts' check). A task
 * whose share was released before a check found it wrong (a check of an older task) is not
 * forfeited: the penalty still applies, capped by what is pending.
 *
 * A penalty takes from a pending balance that backs the shares of the provider's other tasks, so
 * a share can find less than itself pending: its release moves what is left (nothing, once a
 * penalty took it all), and its forfeit takes what is left from the provider and the rest of the
 * client's refund from the platform's fees (which received the penalty). A statement that reads
 * a pending balance caps with the balance as it read it; a movement committed meanwhile can make
 * the cap too large, which the accounts' check refuses (the statement writes nothing, and its
 * caller tries again).
 *
 * The fragments below are parts of those statements. A statement that uses them names the tasks
 * it moves in a CTE with a `task_id` column, defines `moves` (tx, kind, task_id, memo) and `legs`
 * (tx, account_id, amount), and ends with `moneyTail`.
 */

/**
 * The pending share of each task of `src` whose capture's share has not been released or
 * forfeited yet: the capture's leg on a provider_pending account, and the provider's earnings
 * account (created with the pending one at capture: tasks/task-store.ts).
 *
 * Read from the tasks of `src`, each look-up by its index: the lateral subqueries (`offset 0`)
 * are planned alone, for one task's capture and one capture's entries. Left to join freely, the
 * planner read every ledger entry to find a few tasks' (the window's release: 264 ms each sweep
 * at 157,000 entries, with no task due).
 */
export function pendingShare(name: string, src: string): string {
  return `${name} as materialized (
       select c.task_id, e.account_id as pending_id, e.amount, a.balance as pending_balance, ea.id as earnings_id
         from (select distinct task_id from ${src}) s
         cross join lateral (select c.id, c.task_id from ledger_transactions c
                              where c.task_id = s.task_id and c.kind = 'capture' offset 0) c
         cross join lateral (select e.account_id, e.amount from ledger_entries e
                              where e.transaction_id = c.id offset 0) e
         join ledger_accounts a on a.id = e.account_id and a.kind = 'provider_pending'
         left join ledger_accounts ea on ea.kind = 'provider_earnings' and ea.owner_id = a.owner_id
        where not exists (select 1 from ledger_transactions d
                           where d.task_id = c.task_id and d.kind in ('release', 'forfeit'))
     )`;
}

/** The platform's fee account (one row; created by the first capture). */
export const PLATFORM_FEES = `(select id from ledger_accounts where kind = 'platform_fees' and owner_id is null)`;

/**
 * The releases of the shares of `share` that have an earnings account, each capped at what its
 * pending account holds after the releases before it in the same statement (a penalty may have
 * taken part of it): rows (tx, task_id, pending_id, earnings_id, amount).
 */
export function cappedReleases(name: string, share: string): string {
  return `${name} as materialized (
       select gen_random_uuid() as tx, task_id, pending_id, earnings_id,
              greatest(0, least(amount, pending_balance
                - (sum(amount) over (partition by pending_id order by task_id) - amount))) as amount
         from ${share} where earnings_id is not null
     )`;
}

/** A release's movements for the rows of `re` that move anything. */
export function releaseMoves(re: string, why: string): string {
  return `select tx, 'release' as kind, task_id, 'task ' || task_id || ': ${why}, earnings released' as memo
       from ${re} where amount > 0`;
}

/** A release's legs for the rows of `re` (tx, pending_id, earnings_id, amount). */
export function releaseLegs(re: string): string {
  return `select tx, pending_id as account_id, -amount as amount from ${re}
       union all select tx, earnings_id, amount from ${re}`;
}

/**
 * The movements written: `moves`' ledger transactions (one already there for its (task_id,
 * kind) is skipped, and so are its legs), their entries, the accounts locked in id order (last,
 * as every ledger statement locks them) and each balance moved once by the sum of its legs.
 * `now` is the placeholder of the statement's time.
 */
export function moneyTail(now: string): string {
  return `mv as (
       insert into ledger_transactions (id, kind, task_id, memo, created_at)
       select tx, kind, task_id, memo, ${now} from moves
       on conflict do nothing returning id
     ), entries as (
       insert into ledger_entries (transaction_id, account_id, amount, created_at)
       select l.tx, l.account_id, l.amount, ${now} from legs l
        where l.amount <> 0 and l.tx in (select id from mv)
       returning account_id, amount
     ), lk as (
       select id from ledger_accounts where id in (select account_id from entries) order by id for update
     ), balances as (
       update ledger_accounts a set balance = a.balance + s.amount
         from (select account_id, sum(amount) as amount from entries group by account_id) s
        where a.id = s.account_id and (select count(*) from lk) >= 0 returning a.id
     )`;
}

/**
 * The window's release: the tasks whose share is still pending, finished before $1, with no
 * check open, oldest first, at most $2 of them (locked, skipping those another sweep holds),
 * released in ONE statement; their mark cleared (also when nothing was left to release: a
 * VERIFIED or RESOLVED task released or forfeited by its verdict). $3: the statement's time.
 */
export const RELEASE_DUE = `with due as materialized (
       select x.id as task_id from tasks x
        where x.earnings_pending and x.finished_at < $1::timestamptz
          and not exists (select 1 from task_verifications v
                           where v.task_id = x.id and v.status in ('SAMPLED', 'DISPUTED'))
        order by x.finished_at limit $2::int for update of x skip locked
     ), ${pendingShare("share", "due")}, ${cappedReleases("re", "share")},
     moves as (${releaseMoves("re", "its verification window passed")}),
     legs as (${releaseLegs("re")}),
     ${moneyTail("$3::timestamptz")}, cleared as (
       update tasks set earnings_pending = false
        where id in (select task_id from due)
          and id not in (select task_id from share where earnings_id is null) returning id
     )
     select (select count(*) from due) as due, (select count(*) from mv) as released,
            (select count(*) from balances) as accounts, (select count(*) from cleared) as cleared`;

/**
 * The client's `verify` extra given back, for the tasks of `src` that paid it: a verify task
 * captured with a check drawn (its cost charged twice; ledger/movements.ts captureLegs).
 */
export function verificationRefund(name: string, src: string): string {
  return `${name} as materialized (
       select gen_random_uuid() as tx, x.id as task_id, x.cost as amount, ca.id as client_id
         from tasks x join ledger_accounts ca on ca.kind = 'client_available' and ca.owner_id = x.account_id
        where x.id in (select task_id from ${src}) and x.verify and x.cost > 0
          and exists (select 1 from ledger_transactions c where c.task_id = x.id and c.kind = 'capture')
     )`;
}

/** A verification refund's movements and legs (the rows of `vr`). */
export function verificationRefundMoves(vr: string): { moves: string; legs: string } {
  return {
    moves: `select tx, 'verification_refund' as kind, task_id,
              'task ' || task_id || ': its check could not run, the extra run refunded' as memo from ${vr}`,
    legs: `select tx, client_id as account_id, amount from ${vr}
       union all select tx, ${PLATFORM_FEES}, -amount from ${vr}`,
  };
}
