import type { MikroORM } from "@mikro-orm/postgresql";
import { parseNeuro } from "@neurogrid/contracts";
import type { AlertService } from "../alerts/alert-service.js";
import type { ApiConfig } from "../config.js";
import { DepositEventBus } from "../deposits/deposit-events.js";
import { DepositService } from "../deposits/deposit-service.js";
import type { DepositChain } from "../deposits/deposit-watcher.js";
import type { RedisConnections } from "../infra/redis-connections.js";
import type { RepeatableJob } from "../infra/repeatable-job.js";
import { repeatEvery } from "../infra/repeatable-job.js";
import { ProviderStakes } from "../stakes/provider-stakes.js";
import { WithdrawalRunner } from "../withdrawals/withdrawal-runner.js";
import { TreasuryCheckJob } from "./treasury-check-job.js";

/**
 * Money in and out of the treasury, for an api process with a chain: deposit requests, their
 * events, withdrawal requests and stake moves everywhere; the deposit watcher's, the stake
 * releases' and the treasury check's repeatable jobs where the dispatcher runs. Withdrawals are
 * sent, like payouts, by the payouts process alone (payouts/payouts-process.ts).
 */
export interface TreasuryParts {
  deposits: DepositService;
  events: DepositEventBus;
  withdrawals: WithdrawalRunner;
  stakes: ProviderStakes;
  treasuryCheck: TreasuryCheckJob;
  schedule(): Promise<void>;
  close(): Promise<void>;
}

export function treasuryPartsFor(
  config: ApiConfig,
  parts: {
    orm: MikroORM;
    redis: RedisConnections;
    chain: DepositChain;
    alerts: AlertService;
  },
  log: (msg: string, err?: unknown) => void,
): TreasuryParts {
  const { orm, redis, chain, alerts } = parts;
  const events = new DepositEventBus(redis);
  const depositChain = chain;
  const service = new DepositService(
    orm,
    depositChain,
    { requestTtlMs: config.depositRequestTtlMs, label: config.depositLabel },
    events,
    log,
  );
  const treasuryCheck = new TreasuryCheckJob(orm, depositChain, alerts, log);
  // Requests only: the payouts process sends them (payouts/payouts-process.ts).
  const withdrawals = new WithdrawalRunner(orm, undefined, (m) => log(m));
  const stakes = new ProviderStakes(orm, config.stakeCoolingOffMs, parseNeuro(config.minProviderStake));
  let releaseJob: RepeatableJob | undefined;
  return {
    deposits: service,
    events,
    withdrawals,
    stakes,
    treasuryCheck,
    async schedule() {
      await service.schedule(redis, config.depositWatchIntervalMs);
      releaseJob = await repeatEvery(
        redis,
        "stake-releases",
        config.payoutIntervalMs,
        async () => void (await stakes.releaseDue()),
        log,
      );
      await treasuryCheck.schedule(redis, config.treasuryCheckIntervalMs);
    },
    async close() {
      await treasuryCheck.close();
      await releaseJob?.close();
      await service.close();
      await events.close();
    },
  };
}
