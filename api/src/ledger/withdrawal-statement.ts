import type { EntityManager } from "@mikro-orm/postgresql";
import { rowMovementParams, rowMovementSql } from "./movement-sql.js";
import type { Leg } from "./movements.js";

/**
 * A withdrawal's two statements, each ONE statement that writes the withdrawal's row and its
 * movement and balances, or nothing:
 *   requestWithdrawal  the row PENDING and `withdrawal` (no negative balance: the accounts'
 *                      check refuses it, and nothing is written — insufficient funds);
 *   endWithdrawal      PENDING -> CONFIRMED (`withdrawal_settled`) or FAILED
 *                      (`withdrawal_returned`), only while PENDING (the guard), so each once;
 *                      the movements are also unique per (withdrawal_id, kind).
 * Accounts are locked in id order, last, as every ledger statement does.
 */
const MOVE = rowMovementSql("w", "withdrawal_id");

export interface WithdrawalRequest {
  id: string;
  accountId: string;
  wallet: string;
  amount: bigint;
  legs: Leg[];
  now: Date;
}

/** false: the balance does not cover it (nothing written). */
export async function requestWithdrawal(em: EntityManager, w: WithdrawalRequest): Promise<boolean> {
  try {
    await em.getConnection().execute(
      `with w as (
         insert into withdrawals (id, account_id, wallet, amount, status, created_at)
         values (?, ?, ?, ?, 'PENDING', ?::timestamptz) returning id
       ), ${MOVE}`,
      [
        w.id,
        w.accountId,
        w.wallet,
        w.amount.toString(),
        w.now.toISOString(),
        ...rowMovementParams("withdrawal", `withdrawal ${w.id} to ${w.wallet}`, w.now, w.legs),
      ],
    );
    return true;
  } catch (err) {
    const e = err as { code?: string; constraint?: string } | null;
    if (e?.code === "23514" && e.constraint === "ledger_accounts_check") return false;
    throw err;
  }
}

export interface WithdrawalEnd {
  id: string;
  status: "CONFIRMED" | "FAILED";
  signature: string | null;
  error: string | null;
  legs: Leg[];
  now: Date;
}

/** Whether this statement ended the withdrawal (false: it had ended already). */
export async function endWithdrawal(em: EntityManager, end: WithdrawalEnd): Promise<boolean> {
  const confirmed = end.status === "CONFIRMED";
  const rows = await em.getConnection().execute<{ n: string }[]>(
    `with w as (
       update withdrawals set status = ?, signature = ?, error = ?, settled_at = ?::timestamptz
        where id = ? and status = 'PENDING' returning id
     ), ${MOVE}`,
    [
      end.status,
      end.signature,
      end.error,
      end.now.toISOString(),
      end.id,
      ...rowMovementParams(
        confirmed ? "withdrawal_settled" : "withdrawal_returned",
        confirmed
          ? `withdrawal ${end.id} confirmed: ${end.signature}`
          : `withdrawal ${end.id} failed: ${end.error}`,
        end.now,
        end.legs,
      ),
    ],
  );
  return Number(rows[0]?.n ?? 0) > 0;
}
