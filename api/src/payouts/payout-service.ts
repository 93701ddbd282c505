import type { MikroORM } from "@mikro-orm/postgresql";
import { prepareRecipient } from "@neurogrid/contracts";
import { Queue, Worker } from "bullmq";
import type { RedisConnections } from "../infra/redis-connections.js";
import type { PayoutChain } from "./payout-chain.js";
import type { PayoutEventBus } from "./payout-events.js";
import { PayoutRunner } from "./payout-runner.js";

/**
 * Payouts in a process: the runner, the repeatable BullMQ job that calls it every
 * `intervalMs` (one job id per repeat; the runner's advisory lock keeps runs from overlapping
 * across processes), and the wallet preparation done once when a wallet is linked (its NEURO
 * token account created and added to the recipients' lookup table, so later payouts are small).
 */
const PAYOUT_QUEUE = "payouts";

export class PayoutService {
  readonly runner: PayoutRunner;
  #queue: Queue | undefined;
  #worker: Worker | undefined;
  readonly #orm: MikroORM;
  readonly #chain: PayoutChain;
  readonly #log: (msg: string, err?: unknown) => void;

  constructor(
    orm: MikroORM,
    chain: PayoutChain,
    thresholdUnits: bigint,
    events: PayoutEventBus,
    log: (msg: string, err?: unknown) => void,
  ) {
    this.#orm = orm;
    this.#chain = chain;
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
      },
      { connection, prefix, concurrency: 1 },
    );
    this.#worker.on("error", (err) => this.#log("payouts worker", err));
  }

  /** Creates the wallet's token account and puts it in the lookup table; never fatal. */
  async prepareWallet(accountId: string): Promise<void> {
    const em = this.#orm.em.fork();
    const [row] = await em.execute<{ address: string }[]>(
      "select address from wallets where account_id = ?",
      [accountId],
    );
    if (!row) return;
    try {
      const prepared = await prepareRecipient(
        this.#chain.rpc,
        this.#chain.treasury,
        this.#chain.mint,
        row.address,
        {
          lookupTables: this.runner.recipientTables,
          pollIntervalMs: this.#chain.pollIntervalMs,
        },
      );
      await em.execute("update wallets set token_account = ? where account_id = ? and address = ?", [
        prepared.tokenAccount,
        accountId,
        row.address,
      ]);
    } catch (err) {
      this.#log(
        `payouts: preparing wallet ${row.address} failed (the first payout will create its account)`,
        err,
      );
    }
  }

  async close(): Promise<void> {
    await this.#worker?.close();
    await this.#queue?.close();
  }
}
