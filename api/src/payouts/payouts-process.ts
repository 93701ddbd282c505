import {
  loadTreasuryKey,
  parseAddress,
  parseNeuro,
  type SolanaRpc,
  type TreasuryKey,
  topUpHotWallet,
  Web3Rpc,
} from "@neurogrid/contracts";
import type { PublicKey } from "@solana/web3.js";
import { openOrm } from "../db/orm.js";
import { createRedisConnections } from "../infra/redis-connections.js";
import { type RepeatableJob, repeatEvery } from "../infra/repeatable-job.js";
import { WithdrawalRunner } from "../withdrawals/withdrawal-runner.js";
import type { PayoutChain } from "./payout-chain.js";
import { PayoutEventBus } from "./payout-events.js";
import { PayoutService } from "./payout-service.js";
import type { PayoutsConfig } from "./payouts-config.js";

/**
 * The payouts process (`neurogrid payouts run`): the one process that loads keys. It works the
 * payout job (repeatable, and the runs an api queues for runPayouts) and the withdrawal job:
 * payouts and withdrawals the api replicas recorded in PostgreSQL are signed here by the hot
 * payout wallet, which is first topped up from the treasury toward what they need, never above
 * its cap (contracts' payouts/hot-wallet.ts). Both key files must be mode 0600 or it refuses to
 * start (loadTreasuryKey).
 */
export interface PayoutsProcess {
  chain: PayoutChain;
  service: PayoutService;
  withdrawals: WithdrawalRunner;
  close(): Promise<void>;
}

export interface PayoutsChainParts {
  rpc: SolanaRpc;
  treasuryKey: TreasuryKey;
  hotWallet: TreasuryKey;
  mint: PublicKey;
}

/** The payout chain of this process: the hot wallet signs, a top-up funds it before each run. */
export function payoutsChain(
  parts: PayoutsChainParts,
  config: Pick<
    PayoutsConfig,
    "solanaCommitment" | "hotWalletCap" | "payoutPollIntervalMs" | "payoutSettleTimeoutMs"
  >,
  log: (msg: string) => void = () => {},
): PayoutChain {
  const capUnits = parseNeuro(config.hotWalletCap);
  const confirm = { commitment: config.solanaCommitment, pollIntervalMs: config.payoutPollIntervalMs };
  return {
    rpc: parts.rpc,
    wallet: parts.hotWallet,
    treasury: parts.treasuryKey.publicKey,
    mint: parts.mint,
    commitment: config.solanaCommitment,
    pollIntervalMs: config.payoutPollIntervalMs,
    settleTimeoutMs: config.payoutSettleTimeoutMs,
    fund: async (needed) => {
      const topUp = await topUpHotWallet(
        {
          rpc: parts.rpc,
          treasury: parts.treasuryKey,
          mint: parts.mint,
          hotWallet: parts.hotWallet.publicKey,
          needed,
          capUnits,
        },
        confirm,
      );
      if (topUp.transferred > 0n)
        log(`hot wallet topped up by ${topUp.transferred} units: ${topUp.signature}`);
      return topUp.balance;
    },
  };
}

export async function startPayoutsProcess(
  config: PayoutsConfig,
  log: (msg: string, err?: unknown) => void,
  chainParts?: PayoutsChainParts,
): Promise<PayoutsProcess> {
  const parts = chainParts ?? {
    rpc: new Web3Rpc(config.solanaRpcUrl, { commitment: config.solanaCommitment }),
    treasuryKey: await loadTreasuryKey(config.treasuryKeyPath),
    hotWallet: await loadTreasuryKey(config.hotWalletKeyPath),
    mint: parseAddress(config.neuroMint, "NEURO mint"),
  };
  return runPayoutsJobs(
    config,
    payoutsChain(parts, config, (m) => log(m)),
    log,
  );
}

/** What the jobs need beside the chain. */
export type PayoutsJobSettings = Pick<
  PayoutsConfig,
  "databaseUrl" | "redisUrl" | "redisPrefix" | "payoutThreshold" | "payoutIntervalMs"
>;

/** The payout and withdrawal jobs over a chain whose wallet signs (tests give a LiteSVM one). */
export async function runPayoutsJobs(
  settings: PayoutsJobSettings,
  chain: PayoutChain,
  log: (msg: string, err?: unknown) => void,
): Promise<PayoutsProcess> {
  const orm = await openOrm(settings.databaseUrl);
  const redis = createRedisConnections(settings);
  const events = new PayoutEventBus(redis);
  const service = new PayoutService(orm, chain, parseNeuro(settings.payoutThreshold), events, log);
  const withdrawals = new WithdrawalRunner(orm, chain, (m) => log(m));
  await service.schedule(redis, settings.payoutIntervalMs);
  const withdrawalJob: RepeatableJob = await repeatEvery(
    redis,
    "withdrawals",
    settings.payoutIntervalMs,
    async () => {
      const s = await withdrawals.run();
      if (s.confirmed + s.failed > 0) log(`withdrawals: ${JSON.stringify(s)}`);
    },
    log,
  );
  return {
    chain,
    service,
    withdrawals,
    async close() {
      await withdrawalJob.close();
      await service.close();
      await events.close();
      await redis.close();
      await orm.close();
    },
  };
}
