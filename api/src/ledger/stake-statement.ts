import type { EntityManager } from "@mikro-orm/postgresql";
import { rowMovementParams, rowMovementSql } from "./movement-sql.js";
import type { Leg } from "./movements.js";

/**
 * A provider's stake moves, each ONE statement that writes the move's row and its movement and
 * balances, or nothing:
 *   recordStakeMove  a STAKE (DONE) or UNSTAKE (COOLING until `releasesAt`) move; a balance it
 *                    does not cover is refused by the accounts' check (nothing written);
 *   releaseUnstake   COOLING -> RELEASED, only while COOLING and once its time has come (the
 *                    guard), so each once; movements are also unique per (stake_move_id, kind).
 */
const MOVE = rowMovementSql("m", "stake_move_id");

export interface StakeMove {
  id: string;
  providerId: string;
  kind: "STAKE" | "UNSTAKE";
  amount: bigint;
  legs: Leg[];
  now: Date;
  releasesAt: Date | null;
}

/** false: the balance it draws on does not cover it (nothing written). */
export async function recordStakeMove(em: EntityManager, move: StakeMove): Promise<boolean> {
  try {
    await em.getConnection().execute(
      `with m as (
         insert into stake_moves (id, provider_id, kind, amount, status, created_at, releases_at)
         values (?, ?, ?, ?, ?, ?::timestamptz, ?::timestamptz) returning id
       ), ${MOVE}`,
      [
        move.id,
        move.providerId,
        move.kind,
        move.amount.toString(),
        move.kind === "STAKE" ? "DONE" : "COOLING",
        move.now.toISOString(),
        move.releasesAt?.toISOString() ?? null,
        ...rowMovementParams(
          move.kind.toLowerCase(),
          `${move.kind.toLowerCase()} ${move.id}`,
          move.now,
          move.legs,
        ),
      ],
    );
    return true;
  } catch (err) {
    const e = err as { code?: string; constraint?: string } | null;
    if (e?.code === "23514" && e.constraint === "ledger_accounts_check") return false;
    throw err;
  }
}

/** Whether this statement released the unstake (false: not due, or released already). */
export async function releaseUnstake(
  em: EntityManager,
  id: string,
  legs: Leg[],
  now: Date,
): Promise<boolean> {
  const rows = await em.getConnection().execute<{ n: string }[]>(
    `with m as (
       update stake_moves set status = 'RELEASED', released_at = ?::timestamptz
        where id = ? and status = 'COOLING' and releases_at <= ?::timestamptz returning id
     ), ${MOVE}`,
    [
      now.toISOString(),
      id,
      now.toISOString(),
      ...rowMovementParams("unstake_released", `unstake ${id} released after cooling-off`, now, legs),
    ],
  );
  return Number(rows[0]?.n ?? 0) > 0;
}
