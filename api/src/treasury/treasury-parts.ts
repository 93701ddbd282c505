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
import type { PayoutChain } from "../payouts/payout-chain.js";
import { ProviderStakes } from "../stakes/provider-stakes.js";
import { WithdrawalRunner } from "../withdrawals/withdrawal-runner.js";
import { TreasuryCheckJob } from "./treasury-check-job.js";

/**
 * Money in and out of the treasury, for an api process with a chain: deposit requests, their
 * events, withdrawal requests and stake moves everywhere; the deposit watcher's, the
 * withdrawals', the stake releases' and the treasury check's repeatable jobs where the
 * dispatcher runs.
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
    /** The hot wallet's signer: present in the payouts process (or a test's single process). */
    signer: PayoutChain | undefined;
    alerts: AlertService;
  },
  log: (msg: string, err?: unknown) => void,
): TreasuryParts {
  const { orm, redis, chain, signer, alerts } = parts;
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
  const withdrawals = new WithdrawalRunner(orm, signer, (m) => log(m));
  const stakes = new ProviderStakes(orm, config.stakeCoolingOffMs, parseNeuro(config.minProviderStake));
  let withdrawalJob: RepeatableJob | undefined;
  let releaseJob: RepeatableJob | undefined;
  return {
    deposits: service,
    events,
    withdrawals,
    stakes,
    treasuryCheck,
    async schedule() {
      await service.schedule(redis, config.depositWatchIntervalMs);
      // Withdrawals are sent where the signer is: the payouts process (payouts/payouts-process.ts).
      if (signer)
        withdrawalJob = await repeatEvery(
          redis,
          "withdrawals",
          config.payoutIntervalMs,
          async () => {
            const s = await withdrawals.run();
            if (s.confirmed + s.failed > 0) log(`withdrawals: ${JSON.stringify(s)}`);
          },
          log,
        );
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
      await withdrawalJob?.close();
      await service.close();
      await events.close();
    },
  };
}
