import { Queue, QueueEvents } from "bullmq";
import { ApiError } from "../errors.js";
import type { RedisConnections } from "../infra/redis-connections.js";
import type { PayoutRunSummary } from "./payout-runner.js";
import { PAYOUT_QUEUE } from "./payout-service.js";

/**
 * An api replica's way to run payouts now (the admin's runPayouts): it signs nothing, so it
 * queues a run on the payouts queue, which the payouts process works (payout-service.ts), and
 * waits for that run's summary.
 */
/** How long runPayouts waits for the payouts process to answer. */
const PAYOUT_RUN_WAIT_MS = 60_000;

export class PayoutRunRequests {
  readonly #queue: Queue;
  readonly #events: QueueEvents;

  constructor(connections: RedisConnections) {
    const prefix = connections.bullPrefix;
    this.#queue = new Queue(PAYOUT_QUEUE, { connection: connections.bullmq(), prefix });
    this.#events = new QueueEvents(PAYOUT_QUEUE, { connection: connections.bullmq(), prefix });
  }

  async run(waitMs: number = PAYOUT_RUN_WAIT_MS): Promise<PayoutRunSummary> {
    await this.#events.waitUntilReady();
    const job = await this.#queue.add(
      "run-now",
      {},
      { removeOnComplete: { age: 3600 }, removeOnFail: { age: 3600 } },
    );
    try {
      return (await job.waitUntilFinished(this.#events, waitMs)) as PayoutRunSummary;
    } catch (err) {
      throw new ApiError(
        "UNAVAILABLE",
        `the payouts process did not run the payouts (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }

  async close(): Promise<void> {
    await this.#events.close();
    await this.#queue.close();
  }
}
