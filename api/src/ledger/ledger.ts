import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { LedgerAccountKind, LedgerTxKind } from "../db/entities/index.js";

/**
 * The double-entry ledger. A movement is one ledger transaction whose legs (entries) sum to
 * zero; each leg also moves its account's stored balance, in the same database transaction, so
 * a balance always equals the sum of its entries (`checkLedger` proves it). Amounts are bigint
 * smallest units. The database enforces: a movement's legs, written by one statement, balance
 * and name a ledger transaction and account that exist (a statement-level trigger refuses a
 * statement whose new entries do not; those rows are never deleted), (task_id, kind) is
 * unique, and only the external account may go negative.
 *
 * Callers pass an EntityManager that is inside `em.transactional(...)`.
 */
interface Leg {
  accountId: string;
  amount: bigint;
}

export interface Movement {
  kind: LedgerTxKind;
  taskId?: string;
  payoutId?: string;
  memo?: string;
  legs: Leg[];
}

/** Raised when a movement of this kind already exists for this task (the unique constraint). */
class DuplicateMovementError extends Error {
  constructor(
    readonly kind: LedgerTxKind,
    readonly taskId: string | undefined,
  ) {
    super(`ledger movement ${kind} already exists for task ${taskId}`);
  }
}

/**
 * Ledger account ids never change once created, so they are cached per database: a task's
 * movements then cost no look-ups. (Keyed by the database URL, for processes that open several.)
 * An account is created in its own autocommit statement, never inside the caller's transaction.
 */
const accountIds = new Map<string, string>();

export async function ensureLedgerAccount(
  em: EntityManager,
  kind: LedgerAccountKind,
  ownerId: string | null,
): Promise<string> {
  const cacheKey = `${em.config.get("clientUrl")}|${kind}|${ownerId ?? ""}`;
  const cached = accountIds.get(cacheKey);
  if (cached) return cached;
  // Outside the caller's transaction (the connection, not the EntityManager): an account, once
  // made, is committed at once even if the caller's transaction rolls back, so caching is safe.
  const connection = em.getConnection();
  await connection.execute(
    "insert into ledger_accounts (id, kind, owner_id, balance) values (?, ?, ?, 0) on conflict do nothing",
    [randomUUID(), kind, ownerId],
  );
  const rows = await connection.execute<{ id: string }[]>(
    "select id from ledger_accounts where kind = ? and owner_id is not distinct from ?",
    [kind, ownerId],
  );
  const id = rows[0]?.id;
  if (!id) throw new Error(`ledger account ${kind}/${ownerId} could not be created`);
  if (accountIds.size > 100_000) accountIds.clear();
  accountIds.set(cacheKey, id);
  return id;
}

/**
 * Locks account rows (SELECT ... FOR UPDATE), always in id order, and returns their balances.
 * Every movement locks this way, so two transactions over the same accounts take their locks
 * in the same order and cannot deadlock.
 */
export async function lockAccounts(em: EntityManager, accountIds: string[]): Promise<Map<string, bigint>> {
  const ids = [...new Set(accountIds)].sort();
  const rows = await em.execute<{ id: string; balance: string }[]>(
    `select id, balance from ledger_accounts where id = any(?::uuid[]) order by id for update`,
    [`{${ids.join(",")}}`],
  );
  if (rows.length !== ids.length) throw new Error(`ledger accounts missing among ${ids.join(", ")}`);
  return new Map(rows.map((r) => [r.id, BigInt(r.balance)]));
}

export async function post(em: EntityManager, movement: Movement): Promise<string> {
  const sum = movement.legs.reduce((acc, leg) => acc + leg.amount, 0n);
  if (sum !== 0n) throw new Error(`ledger movement ${movement.kind} does not balance (${sum})`);
  const txId = randomUUID();
  const now = new Date();
  const inserted = await em.execute<{ id: string }[]>(
    `insert into ledger_transactions (id, kind, task_id, payout_id, memo, created_at) values (?, ?, ?, ?, ?, ?)
     on conflict do nothing returning id`,
    [txId, movement.kind, movement.taskId ?? null, movement.payoutId ?? null, movement.memo ?? "", now],
  );
  if (inserted.length === 0)
    throw new DuplicateMovementError(movement.kind, movement.taskId ?? movement.payoutId);
  const legs = movement.legs.filter((leg) => leg.amount !== 0n);
  if (legs.length === 0) return txId;
  await lockAccounts(
    em,
    legs.map((leg) => leg.accountId),
  );
  // Array literals as text: knex would spread a JS array into a list of parameters.
  const ids = `{${legs.map((leg) => leg.accountId).join(",")}}`;
  const amounts = `{${legs.map((leg) => leg.amount.toString()).join(",")}}`;
  await em.execute(
    `insert into ledger_entries (transaction_id, account_id, amount, created_at)
     select ?, unnest(?::uuid[]), unnest(?::bigint[]), ?`,
    [txId, ids, amounts, now],
  );
  await em.execute(
    `update ledger_accounts a set balance = a.balance + v.amount
       from (select unnest(?::uuid[]) as id, unnest(?::bigint[]) as amount) v
      where a.id = v.id`,
    [ids, amounts],
  );
  return txId;
}
