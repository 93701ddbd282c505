import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { runPrepared } from "../db/prepared.js";
import {
  type CaptureRequest,
  type HoldRequest,
  holdOutcome,
  MODEL_CHECK_AND_LOCK_SQL,
  modelCheckParams,
} from "./escrow.js";

/**
 * A task whose answer was in before its hold (tasks/submit-task.ts): its hold and its capture
 * in ONE statement, one commit. Every rule of the two movements holds as when they are two
 * statements (escrow.ts): two ledger transactions (hold, then capture: the unique (task_id,
 * kind) still applies), each balanced on its own; the client's available balance must cover
 * the whole escrow (not only the cost); the model check (stale: nothing written); the accounts
 * locked in id order before any of them moves. The balances move by the two movements' sum
 * (an account changes once per statement): available by -cost, held by 0, the provider by
 * its earning, the platform by its fee.
 *
 * Like the single hold (escrow.ts holdAndCreateTask), it locks its accounts FIRST: it writes
 * nothing unless the balance covers the escrow. It runs for tasks submitted alone while their
 * calls answer within milliseconds, so it holds the platform's fee account for one short
 * statement; batches and loaded replicas take the two-statement path, whose capture locks last.
 *
 * The task is written COMPLETED with its result, cost and split, started and finished on the
 * replica that answered (one attempt), or nothing is written: `held` false with the balance
 * seen (too low), or `stale`.
 */
export async function holdAndCapture(
  em: EntityManager,
  hold: HoldRequest & { running: { nodeId: string; actorId: string } },
  capture: CaptureRequest,
): Promise<{ held: boolean; balance: bigint; stale: boolean }> {
  const holdTx = randomUUID();
  const captureTx = randomUUID();
  const legs = [
    { tx: holdTx, accountId: hold.availableId, amount: -hold.price, at: hold.now },
    { tx: holdTx, accountId: hold.heldId, amount: hold.price, at: hold.now },
    ...capture.legs
      .filter((l) => l.amount !== 0n)
      .map((l) => ({ tx: captureTx, accountId: l.accountId, amount: l.amount, at: capture.now })),
  ];
  const net = new Map<string, bigint>();
  for (const l of legs) net.set(l.accountId, (net.get(l.accountId) ?? 0n) + l.amount);
  const accounts = [...net.keys()];
  const arr = (values: (string | bigint)[]) => `{${values.map(String).join(",")}}`;
  const [row] = await runPrepared<{ created: string; balance: string | null; fresh: string }>(
    em,
    "escrow_hold_and_capture",
    `${MODEL_CHECK_AND_LOCK_SQL}, ok as (
       select 1 where (select count(*) from lk) = cardinality($5::uuid[])
                  and (select balance from lk where id = $7::uuid) >= $8::bigint
     ), moved as (
       update ledger_accounts a set balance = a.balance + v.amount
         from (select unnest($5::uuid[]) as id, unnest($6::bigint[]) as amount) v
        where a.id = v.id and v.amount <> 0 and exists (select 1 from ok) returning a.id
     ), task as (
       insert into tasks (id, account_id, model_id, idempotency_key, priority, status, input, pricing, max_price, attempts,
                          created_at, scheduled_at, started_at, node_id, actor_id, result, execution_provider, inference_ms,
                          cost, units, platform_fee, provider_earning, finished_at)
       select $9::uuid, $10::uuid, $2::uuid, $11::text, $12::int, 'COMPLETED', $13::jsonb, $14::jsonb, $8::bigint, 1,
              $15::timestamptz, $15::timestamptz, $15::timestamptz, $16::text, $17::text, $18::jsonb, $19::text,
              $20::double precision, $21::bigint, $22::bigint, $23::bigint, $24::bigint, $25::timestamptz
        where exists (select 1 from ok) returning id
     ), mv as (
       insert into ledger_transactions (id, kind, task_id, memo, created_at)
       select x.id, x.kind, task.id, x.memo, x.at from task,
         (values ($26::uuid, 'hold', $27::text, $15::timestamptz),
                 ($28::uuid, 'capture', $29::text, $25::timestamptz)) x(id, kind, memo, at)
       returning id
     ), entries as (
       insert into ledger_entries (transaction_id, account_id, amount, created_at)
       select e.tx, e.account_id, e.amount, e.at
         from unnest($30::uuid[], $31::uuid[], $32::bigint[], $33::timestamptz[]) as e(tx, account_id, amount, at)
        where (select count(*) from mv) = 2
       returning 1
     )
     select (select count(*) from task) as created, (select balance from lk where id = $7::uuid) as balance,
            (select count(*) from m) as fresh,
            -- An assertion: a task written without its movements fails the whole statement.
            case when exists (select 1 from task)
                 then 1 / ((select count(*) from entries) = cardinality($30::uuid[]))::int else 0 end as whole`,
    [
      ...modelCheckParams(hold),
      arr(accounts),
      arr(accounts.map((a) => net.get(a) ?? 0n)),
      hold.availableId,
      hold.price.toString(),
      hold.taskId,
      hold.accountId,
      hold.idempotencyKey,
      hold.priority,
      JSON.stringify(hold.input),
      JSON.stringify(hold.pricing),
      hold.now,
      hold.running.nodeId,
      hold.running.actorId,
      JSON.stringify(capture.result),
      capture.executionProvider,
      capture.inferenceMs,
      capture.cost.toString(),
      capture.units.toString(),
      capture.fee.toString(),
      capture.providerEarning.toString(),
      capture.now,
      holdTx,
      hold.memo,
      captureTx,
      capture.memo,
      arr(legs.map((l) => l.tx)),
      arr(legs.map((l) => l.accountId)),
      arr(legs.map((l) => l.amount)),
      `{${legs.map((l) => `"${l.at.toISOString()}"`).join(",")}}`,
    ],
  );
  return holdOutcome(Number(row?.created) === 1, row);
}
