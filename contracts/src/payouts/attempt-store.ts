/**
 * The durable record the payout sender keeps of every transaction it signs: the exact bytes, the
 * signature, the payouts in it and the last block height at which it can land. The api
 * implements it on PostgreSQL; InMemoryAttemptStore is the reference implementation for tests.
 *
 * Contract (what the sender's "no double payout" rests on):
 * - `insert` is durable when its promise resolves, and happens BEFORE the bytes are sent;
 * - `insert` throws ATTEMPT_CONFLICT if any of its payouts is already in a "pending" or
 *   "confirmed" attempt (on PostgreSQL: lock the payout rows, or a unique index on
 *   (payout_id) where state in ('pending','confirmed') over an attempt-payout table);
 * - `settle` moves a "pending" attempt to a final state exactly once and never changes a final
 *   one ("confirmed", "failed", "expired" are final);
 * - `listByBatch` returns every attempt of the batch, in insertion order.
 */
import { ContractsError } from "../errors.js";

export type AttemptState = "pending" | "confirmed" | "failed" | "expired";

export interface NewPayoutAttempt {
  signature: string;
  batchId: string;
  payoutIds: readonly string[];
  /** The signed transaction, exactly as sent. */
  transaction: Uint8Array;
  lastValidBlockHeight: bigint;
}

export interface PayoutAttempt extends NewPayoutAttempt {
  state: AttemptState;
  /** Slot it landed in (confirmed or failed). */
  slot: bigint | null;
  /** The chain's error (failed) or why it was given up (expired). */
  error: string | null;
}

export interface AttemptSettlement {
  state: Exclude<AttemptState, "pending">;
  slot?: bigint;
  error?: string;
}

export interface PayoutAttemptStore {
  insert(attempt: NewPayoutAttempt): Promise<void>;
  listByBatch(batchId: string): Promise<PayoutAttempt[]>;
  settle(signature: string, settlement: AttemptSettlement): Promise<void>;
}

export class InMemoryAttemptStore implements PayoutAttemptStore {
  readonly #attempts: PayoutAttempt[] = [];

  async insert(attempt: NewPayoutAttempt): Promise<void> {
    const busy = new Set(
      this.#attempts
        .filter((a) => a.state === "pending" || a.state === "confirmed")
        .flatMap((a) => a.payoutIds),
    );
    const clash = attempt.payoutIds.find((id) => busy.has(id));
    if (clash !== undefined) {
      throw new ContractsError(
        "ATTEMPT_CONFLICT",
        `payout ${clash} already has a pending or confirmed transaction`,
      );
    }
    if (this.#attempts.some((a) => a.signature === attempt.signature)) {
      throw new ContractsError("ATTEMPT_CONFLICT", `attempt ${attempt.signature} already stored`);
    }
    this.#attempts.push({
      ...attempt,
      payoutIds: [...attempt.payoutIds],
      transaction: Uint8Array.from(attempt.transaction),
      state: "pending",
      slot: null,
      error: null,
    });
  }

  async listByBatch(batchId: string): Promise<PayoutAttempt[]> {
    return this.#attempts
      .filter((a) => a.batchId === batchId)
      .map((a) => ({ ...a, payoutIds: [...a.payoutIds] }));
  }

  async settle(signature: string, settlement: AttemptSettlement): Promise<void> {
    const attempt = this.#attempts.find((a) => a.signature === signature);
    if (attempt === undefined || attempt.state !== "pending") return;
    attempt.state = settlement.state;
    attempt.slot = settlement.slot ?? null;
    attempt.error = settlement.error ?? null;
  }

  /** Every attempt (tests). */
  all(): PayoutAttempt[] {
    return this.#attempts.map((a) => ({ ...a }));
  }
}
