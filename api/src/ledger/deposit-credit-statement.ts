import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import { ENTRIES_AND_BALANCES, entriesParams } from "./movement-sql.js";
import type { Leg } from "./movements.js";

/**
 * What the deposit watcher learnt of one on-chain transaction, and the money that moves with
 * it: ONE statement records the transfer (chain_transfers, keyed by its signature), moves its
 * request (SEEN, CREDITED), and writes its `chain_deposit` movement and balances — or nothing.
 *
 * Exactly once, whatever runs it (a watcher run twice, restarted, or two at once): the
 * signature is the primary key, and a row moves only from SEEN to a final state (CREDITED,
 * UNMATCHED, OTHER), never again (the upsert's guard: a second statement for the same signature
 * waits for the first to commit, then finds the row final and returns nothing, so it writes no
 * movement); the movement is also unique per (chain_signature, kind). A SEEN row (confirmed,
 * not finalized) moves no money.
 */
export interface TransferRecord {
  signature: string;
  slot: bigint;
  status: "SEEN" | "CREDITED" | "UNMATCHED" | "OTHER";
  /** NEURO that reached the treasury's token account in it (0n when none did). */
  amount: bigint;
  accountId: string | null;
  requestId: string | null;
  sender: string | null;
  reason: string | null;
  /** depositCreditLegs (none for SEEN and OTHER). */
  legs: Leg[];
  memo: string;
  now: Date;
}

/** Whether this statement recorded the transfer's new state (false: it was recorded already). */
export async function recordChainTransfer(em: EntityManager, r: TransferRecord): Promise<boolean> {
  const legs = r.status === "SEEN" || r.status === "OTHER" ? [] : r.legs.filter((l) => l.amount !== 0n);
  const requestStatus = r.status === "SEEN" ? "SEEN" : r.status === "CREDITED" ? "CREDITED" : null;
  const rows = await em.getConnection().execute<{ recorded: string }[]>(
    `with up as (
       insert into chain_transfers (signature, slot, status, amount, account_id, request_id, sender, reason, seen_at, settled_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?::timestamptz, case when ? = 'SEEN' then null else ?::timestamptz end)
       on conflict (signature) do update set status = excluded.status, slot = excluded.slot, amount = excluded.amount,
              account_id = excluded.account_id, request_id = excluded.request_id, sender = excluded.sender,
              reason = excluded.reason, settled_at = excluded.settled_at
        where chain_transfers.status = 'SEEN' and excluded.status <> 'SEEN'
       returning signature
     ), req as (
       update deposit_requests q set status = ?::text, signature = up.signature,
              credited_amount = case when ?::text = 'CREDITED' then ?::bigint else null end,
              settled_at = case when ?::text = 'CREDITED' then ?::timestamptz else null end
         from up where q.id = ?::uuid and ?::text is not null
          and q.status = any(case when ?::text = 'SEEN' then array['PENDING'] else array['PENDING','SEEN'] end)
       returning q.id
     ), mv as (
       insert into ledger_transactions (id, kind, chain_signature, memo, created_at)
       select ?::uuid, 'chain_deposit', up.signature, ?, ?::timestamptz from up
        where jsonb_array_length(?::jsonb) > 0 returning id
     ), ${ENTRIES_AND_BALANCES}
     select (select count(*) from up) as recorded
      where (select count(*) from balances) >= 0 and (select count(*) from req) >= 0`,
    [
      r.signature,
      r.slot.toString(),
      r.status,
      r.amount.toString(),
      r.accountId,
      r.requestId,
      r.sender,
      r.reason,
      r.now.toISOString(),
      r.status,
      r.now.toISOString(),
      requestStatus,
      requestStatus,
      r.amount.toString(),
      requestStatus,
      r.now.toISOString(),
      r.requestId,
      requestStatus,
      requestStatus,
      randomUUID(),
      r.memo,
      r.now.toISOString(),
      JSON.stringify(legs.map((l) => ({ account_id: l.accountId, amount: l.amount.toString() }))),
      ...entriesParams(r.now, legs),
    ],
  );
  return Number(rows[0]?.recorded ?? 0) > 0;
}
