import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { MikroORM } from "@mikro-orm/postgresql";
import {
  type AttemptSettlement,
  ContractsError,
  type NewPayoutAttempt,
  type PayoutAttempt,
  type PayoutAttemptStore,
} from "@neurogrid/contracts";

/**
 * contracts' PayoutAttemptStore on PostgreSQL. What "no double payout" rests on:
 *  - insert commits (attempt bytes + its payouts) before it resolves, so before any send;
 *  - a payout can be in at most one pending or confirmed attempt: a partial unique index on
 *    payout_attempt_payouts(payout_id) where state in ('pending','confirmed') turns a second
 *    one into ATTEMPT_CONFLICT, whichever process tries;
 *  - settle moves a pending attempt (and its payout rows) to a final state once, never back.
 */
export class PgAttemptStore implements PayoutAttemptStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  async insert(attempt: NewPayoutAttempt): Promise<void> {
    try {
      await this.#orm.em.fork().transactional(async (tx) => {
        await tx.execute(
          `insert into payout_attempts (signature, batch_id, transaction, last_valid_block_height, state)
           values (?, ?, ?, ?, 'pending')`,
          [
            attempt.signature,
            attempt.batchId,
            Buffer.from(attempt.transaction),
            attempt.lastValidBlockHeight.toString(),
          ],
        );
        for (const payoutId of attempt.payoutIds) {
          await tx.execute(
            "insert into payout_attempt_payouts (signature, payout_id, state) values (?, ?, 'pending')",
            [attempt.signature, payoutId],
          );
        }
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        throw new ContractsError("ATTEMPT_CONFLICT", `a payout of ${attempt.signature} is already in flight`);
      }
      throw err;
    }
  }

  async listByBatch(batchId: string): Promise<PayoutAttempt[]> {
    const rows = await this.#orm.em
      .fork()
      .execute<(AttemptRow & { batch_id: string; payout_ids: string[] })[]>(
        `select a.signature, a.batch_id, a.transaction, a.last_valid_block_height, a.state, a.slot, a.error,
              array(select p.payout_id::text from payout_attempt_payouts p where p.signature = a.signature order by p.payout_id) as payout_ids
         from payout_attempts a where a.batch_id = ? order by a.seq`,
        [batchId],
      );
    return rows.map((r) => attemptOfRow(r, r.batch_id, r.payout_ids));
  }

  async settle(signature: string, settlement: AttemptSettlement): Promise<void> {
    await this.#orm.em.fork().transactional(async (tx) => {
      const updated = await tx.execute<{ signature: string }[]>(
        `update payout_attempts set state = ?, slot = ?, error = ?
          where signature = ? and state = 'pending' returning signature`,
        [settlement.state, settlement.slot?.toString() ?? null, settlement.error ?? null, signature],
      );
      if (updated.length === 0) return;
      await tx.execute("update payout_attempt_payouts set state = ? where signature = ?", [
        settlement.state,
        signature,
      ]);
    });
  }
}

/** An attempt's row as both attempt tables store it (payout_attempts, withdrawal_attempts). */
export interface AttemptRow {
  signature: string;
  transaction: Buffer;
  last_valid_block_height: string;
  state: PayoutAttempt["state"];
  slot: string | null;
  error: string | null;
}

/** The attempt a row stands for, in the batch and with the payouts given. */
export function attemptOfRow(r: AttemptRow, batchId: string, payoutIds: string[]): PayoutAttempt {
  return {
    signature: r.signature,
    batchId,
    payoutIds,
    transaction: new Uint8Array(r.transaction),
    lastValidBlockHeight: BigInt(r.last_valid_block_height),
    state: r.state,
    slot: r.slot === null ? null : BigInt(r.slot),
    error: r.error,
  };
}
