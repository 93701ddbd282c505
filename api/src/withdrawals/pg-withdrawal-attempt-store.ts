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
    const rows = await this.#orm.em.fork().execute<
      {
        signature: string;
        withdrawal_id: string;
        transaction: Buffer;
        last_valid_block_height: string;
        state: PayoutAttempt["state"];
        slot: string | null;
        error: string | null;
      }[]
    >(
      `select signature, withdrawal_id, transaction, last_valid_block_height, state, slot, error
         from withdrawal_attempts where withdrawal_id = ? order by seq`,
      [batchId],
    );
    return rows.map((r) => ({
      signature: r.signature,
      batchId: r.withdrawal_id,
      payoutIds: [r.withdrawal_id],
      transaction: new Uint8Array(r.transaction),
      lastValidBlockHeight: BigInt(r.last_valid_block_height),
      state: r.state,
      slot: r.slot === null ? null : BigInt(r.slot),
      error: r.error,
    }));
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
