import { DEFAULT_HOT_WALLET_CAP_UNITS, formatNeuro } from "@neurogrid/contracts";
import { z } from "zod";

/**
 * The payouts process's configuration (`neurogrid payouts run`), parsed once at its entry point.
 * It is the one process given key files: the treasury's (mint authority; signs only the bounded
 * top-ups of the hot wallet) and the hot payout wallet's (signs payouts and withdrawals).
 */
const decimalNeuro = z.string().regex(/^\d+(\.\d{1,9})?$/);

const payoutsConfigSchema = z.object({
  databaseUrl: z.string().min(1),
  redisUrl: z.string().min(1),
  redisPrefix: z.string().min(1).default("neurogrid"),
  solanaRpcUrl: z.string().url(),
  neuroMint: z.string().min(1),
  solanaCommitment: z.enum(["confirmed", "finalized"]).default("finalized"),
  /** Keypair files (mode 0600 or the process refuses to start); never logged. */
  treasuryKeyPath: z.string().min(1),
  hotWalletKeyPath: z.string().min(1),
  /** The most the hot wallet holds after a top-up (decimal NEURO). */
  hotWalletCap: decimalNeuro.default(formatNeuro(DEFAULT_HOT_WALLET_CAP_UNITS)),
  payoutThreshold: decimalNeuro.default("10"),
  payoutIntervalMs: z.coerce.number().int().min(1000).default(60_000),
  payoutPollIntervalMs: z.coerce.number().int().min(1).default(2_000),
  payoutSettleTimeoutMs: z.coerce.number().int().min(1000).default(120_000),
});

export type PayoutsConfig = z.infer<typeof payoutsConfigSchema>;

export function payoutsConfigFrom(env: NodeJS.ProcessEnv): PayoutsConfig {
  const parsed = payoutsConfigSchema.safeParse(
    Object.fromEntries(
      Object.entries({
        databaseUrl: env.DATABASE_URL,
        redisUrl: env.REDIS_URL,
        redisPrefix: env.NEUROGRID_REDIS_PREFIX,
        solanaRpcUrl: env.SOLANA_RPC_URL,
        neuroMint: env.NEURO_MINT,
        solanaCommitment: env.SOLANA_COMMITMENT,
        treasuryKeyPath: env.NEUROGRID_TREASURY_KEYPAIR,
        hotWalletKeyPath: env.NEUROGRID_HOT_WALLET_KEYPAIR,
        hotWalletCap: env.NEUROGRID_HOT_WALLET_CAP,
        payoutThreshold: env.NEUROGRID_PAYOUT_THRESHOLD,
        payoutIntervalMs: env.NEUROGRID_PAYOUT_INTERVAL_MS,
        payoutPollIntervalMs: env.NEUROGRID_PAYOUT_POLL_INTERVAL_MS,
        payoutSettleTimeoutMs: env.NEUROGRID_PAYOUT_SETTLE_TIMEOUT_MS,
      }).filter(([, v]) => v !== undefined && v !== ""),
    ),
  );
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid payouts configuration: ${issues}`);
  }
  return parsed.data;
}
