import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { MikroORM } from "@mikro-orm/postgresql";
import {
  type AttemptSettlement,
  ContractsError,
  type NewPayoutAttempt,
  type PayoutAttempt,
  type PayoutAttemptStore,
} from "@neurogrid/contracts";
import { type AttemptRow, attemptOfRow } from "../payouts/pg-attempt-store.js";

/**
 * contracts' PayoutAttemptStore for withdrawals, on PostgreSQL: the payout sender settles each
 * withdrawal as a batch of one (batch id = payout id = withdrawal id, so its memo names the
 * withdrawal). The same guarantees as the payouts' store (pg-attempt-store.ts): the signed bytes
 * are committed before they are sent; a withdrawal is in at most one pending or confirmed
 * attempt (a partial unique index: ATTEMPT_CONFLICT); an attempt leaves "pending" once.
 */
export class PgWithdrawalAttemptStore implements PayoutAttemptStore {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  async insert(attempt: NewPayoutAttempt): Promise<void> {
    const [withdrawalId, ...more] = attempt.payoutIds;
    if (withdrawalId !== attempt.batchId || more.length > 0) {
      throw new ContractsError("INVALID_PAYOUT", "a withdrawal is sent alone, as its own batch");
    }
    try {
      await this.#orm.em.fork().execute(
        `insert into withdrawal_attempts (signature, withdrawal_id, transaction, last_valid_block_height, state)
           values (?, ?, ?, ?, 'pending')`,
        [
          attempt.signature,
          withdrawalId,
          Buffer.from(attempt.transaction),
          attempt.lastValidBlockHeight.toString(),
        ],
      );
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        throw new ContractsError("ATTEMPT_CONFLICT", `withdrawal ${withdrawalId} is already in flight`);
      }
      throw err;
    }
  }

  async listByBatch(batchId: string): Promise<PayoutAttempt[]> {
    const rows = await this.#orm.em.fork().execute<(AttemptRow & { withdrawal_id: string })[]>(
      `select signature, withdrawal_id, transaction, last_valid_block_height, state, slot, error
         from withdrawal_attempts where withdrawal_id = ? order by seq`,
      [batchId],
    );
    return rows.map((r) => attemptOfRow(r, r.withdrawal_id, [r.withdrawal_id]));
  }

  async settle(signature: string, settlement: AttemptSettlement): Promise<void> {
    await this.#orm.em
      .fork()
      .execute(
        "update withdrawal_attempts set state = ?, slot = ?, error = ? where signature = ? and state = 'pending'",
        [settlement.state, settlement.slot?.toString() ?? null, settlement.error ?? null, signature],
      );
  }
}
