import type { MikroORM } from "@mikro-orm/postgresql";
import type { RedisConnections } from "../infra/redis-connections.js";
import { type RepeatableJob, repeatEvery } from "../infra/repeatable-job.js";
import type { DepositEventBus } from "./deposit-events.js";
import { createDepositRequest, type NewDepositRequest } from "./deposit-requests.js";
import { type DepositChain, DepositWatcher } from "./deposit-watcher.js";

/**
 * Deposits in a process: transfer requests for clients, the watcher, and the repeatable job
 * that runs it every `intervalMs` (its advisory lock keeps runs from overlapping across
 * processes).
 */
const DEPOSIT_QUEUE = "deposits";

export interface DepositSettings {
  requestTtlMs: number;
  label: string;
}

export class DepositService {
  readonly watcher: DepositWatcher;
  readonly chain: DepositChain;
  #job: RepeatableJob | undefined;
  readonly #orm: MikroORM;
  readonly #settings: DepositSettings;
  readonly #log: (msg: string, err?: unknown) => void;

  constructor(
    orm: MikroORM,
    chain: DepositChain,
    settings: DepositSettings,
    events: DepositEventBus,
    log: (msg: string, err?: unknown) => void,
  ) {
    this.#orm = orm;
    this.chain = chain;
    this.#settings = settings;
    this.#log = log;
    this.watcher = new DepositWatcher({ orm, chain, events, log: (m) => log(m) });
  }

  request(accountId: string, amount: bigint): Promise<NewDepositRequest> {
    return createDepositRequest(this.#orm.em.fork(), accountId, amount, {
      treasury: this.chain.treasury,
      mint: this.chain.mint,
      label: this.#settings.label,
      ttlMs: this.#settings.requestTtlMs,
      now: new Date(),
    });
  }

  async schedule(connections: RedisConnections, intervalMs: number): Promise<void> {
    this.#job = await repeatEvery(
      connections,
      DEPOSIT_QUEUE,
      intervalMs,
      async () => {
        const s = await this.watcher.run();
        if (s.credited + s.unmatched + s.expired > 0) this.#log(`deposits: ${JSON.stringify(s)}`);
      },
      this.#log,
    );
  }

  async close(): Promise<void> {
    await this.#job?.close();
  }
}
