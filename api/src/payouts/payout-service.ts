import type { MikroORM } from "@mikro-orm/postgresql";
import { Queue, Worker } from "bullmq";
import type { RedisConnections } from "../infra/redis-connections.js";
import type { PayoutChain } from "./payout-chain.js";
import type { PayoutEventBus } from "./payout-events.js";
import { PayoutRunner } from "./payout-runner.js";

/**
 * Payouts in the payouts process (payouts-process.ts): the runner, the repeatable BullMQ job that calls it every
 * `intervalMs` (one job id per repeat; the runner's advisory lock keeps runs from overlapping
 * across processes). A recipient's token account is made by its first payout (nothing on
 * chain when a wallet is linked: wallets/wallet-link.ts).
 */
export const PAYOUT_QUEUE = "payouts";

export class PayoutService {
  readonly runner: PayoutRunner;
  #queue: Queue | undefined;
  #worker: Worker | undefined;
  readonly #log: (msg: string, err?: unknown) => void;

  constructor(
    orm: MikroORM,
    chain: PayoutChain,
    thresholdUnits: bigint,
    events: PayoutEventBus,
    log: (msg: string, err?: unknown) => void,
  ) {
    this.#log = log;
    this.runner = new PayoutRunner({ orm, chain, thresholdUnits, events });
  }

  /** Schedules the repeatable payout job and works it (call in processes that dispatch). */
  async schedule(connections: RedisConnections, intervalMs: number): Promise<void> {
    const connection = connections.bullmq();
    const prefix = connections.bullPrefix;
    this.#queue = new Queue(PAYOUT_QUEUE, { connection, prefix });
    await this.#queue.upsertJobScheduler("payouts-every", { every: intervalMs }, { name: "run" });
    this.#worker = new Worker(
      PAYOUT_QUEUE,
      async () => {
        const summary = await this.runner.run();
        if (summary.created + summary.confirmed + summary.failed > 0)
          this.#log(`payouts: ${JSON.stringify(summary)}`);
        return summary; // what an api's runPayouts waits for (payout-run-request.ts)
      },
      { connection, prefix, concurrency: 1 },
    );
    this.#worker.on("error", (err) => this.#log("payouts worker", err));
  }

  async close(): Promise<void> {
    await this.#worker?.close();
    await this.#queue?.close();
  }
}
