import { z } from "zod";

/** Default of `credentialCacheTtlMs` (and of a CredentialCache made without one). */
export const DEFAULT_CREDENTIAL_CACHE_TTL_MS = 60_000;

/** The share of completed tasks spot-checked when the configuration does not say: 5 %. */
const DEFAULT_VERIFICATION_SAMPLE_RATE = 0.05;

/** The reputation below which a node is quarantined when the configuration does not say. */
const DEFAULT_QUARANTINE_FLOOR = 0.3;

/**
 * Canaries per (serving node, model) pair per minute when the configuration does not say: one
 * every five minutes, a small share of the extra compute verification may cost (canaries.ts).
 */
const DEFAULT_CANARY_RATE_PER_NODE_PER_MINUTE = 0.2;

/** How long a task's provider share stays pending when no check of it is open: 10 minutes. */
const DEFAULT_VERIFICATION_WINDOW_MS = 10 * 60_000;

/** A node at fault pays this many times the task's provider share, from its pending balance. */
export const DEFAULT_VERIFICATION_PENALTY_FACTOR = 1;

/**
 * The api process's configuration, parsed once at the entry point from flags and environment
 * and passed down. Nothing below the entry point reads process.env.
 */
/**
 * One browser origin (scheme, host, port; no path): "https://app.example.com". Written as the
 * browser sends it in the Origin header, so it is compared as a plain string.
 */
const originSchema = z
  .string()
  .url()
  .refine((o) => /^https?:\/\//i.test(o) && new URL(o).origin === o.replace(/\/+$/, "").toLowerCase(), {
    message: "an origin: http(s)://host[:port], nothing after it",
  })
  .transform((o) => new URL(o).origin);

const apiConfigSchema = z.object({
  databaseUrl: z.string().min(1),
  redisUrl: z.string().min(1),
  /** Prefix of every Redis key and channel this deployment uses (queues, events). */
  redisPrefix: z.string().min(1).default("neurogrid"),
  headAddress: z.string().min(1),
  /**
   * How this process proves it is a driver to the cluster (cluster-access.ts): mutual TLS with
   * a driver certificate from the cluster CA (NEUROGRID_TLS_CA/CERT/KEY, required when the head
   * is not on loopback), or on loopback the driver credential token minted with the cluster
   * secret (NEUROGRID_CLUSTER_CREDENTIAL). Neither: a loopback head that checks no credential.
   */
  clusterTlsCa: z.string().min(1).optional(),
  clusterTlsCert: z.string().min(1).optional(),
  clusterTlsKey: z.string().min(1).optional(),
  clusterCredential: z.string().min(1).optional(),
  host: z.string().default("127.0.0.1"),
  port: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Platform fee in basis points of a task's price (1000 = 10%). */
  platformFeeBps: z.coerce.number().int().min(0).max(10000).default(1000),
  /** Run the task dispatcher (BullMQ worker) inside this process. */
  dispatcher: z.boolean().default(true),
  /**
   * Calls to model replicas this process's dispatcher has in flight at most (jobs and local
   * starts together); a task whose answer is in settles without holding one (dispatcher.ts).
   */
  dispatcherConcurrency: z.coerce.number().int().min(1).max(1000).default(16),
  /** Attempts per task before it fails for good (and is refunded). */
  taskAttempts: z.coerce.number().int().min(1).max(20).default(3),
  /**
   * BullMQ job lock: a dispatcher that dies holding a job loses it after this long, and another
   * dispatcher picks it up (stalled-job check every lock/2).
   */
  jobLockMs: z.coerce.number().int().min(1000).default(30_000),
  /**
   * A task's start (RUNNING, its replica) is written when its call outlasts this; a faster task's
   * start is written with its final state, one statement instead of two (tasks/deferred-start.ts).
   * 0: every start is written before the call's answer is used.
   */
  startWriteDelayMs: z.coerce.number().int().min(0).max(60_000).default(100),
  /**
   * Tasks this process accepts that cannot start at once wait in its own backlog (under leases,
   * as local starts) up to what its slots run in this many milliseconds; beyond that, and
   * when 0, they go to the shared queue (tasks/local-start.ts).
   */
  localBacklogMs: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /**
   * A task submitted alone that starts here (held first, then run) is waited for this long, and
   * the submit answers COMPLETED with its result when it has settled by then (tasks/answer-wait.ts).
   * 0: never waited for.
   */
  answerWaitMs: z.coerce.number().int().min(0).max(1000).default(10),
  /** A linked wallet can be changed only this long after it was linked (wallets/wallet-link.ts). */
  walletRelinkCooldownMs: z.coerce
    .number()
    .int()
    .min(0)
    .default(24 * 3_600_000),
  /**
   * The highest task priority any client may use; above it only what an admin allowed the
   * account (setAccountMaxPriority: tasks/priority-caps.ts).
   */
  defaultMaxPriority: z.coerce.number().int().min(0).max(999).default(10),
  /**
   * The most JSON characters a replica's answer may take; a larger one is not stored or charged
   * (the task fails, refunded, and the fault is recorded against the node: tasks/task-output.ts).
   */
  maxResultChars: z.coerce
    .number()
    .int()
    .min(1024)
    .default(32 * 1024 * 1024),
  /**
   * The share of completed tasks re-run on another provider's node and compared (result
   * verification: verification/verifier.ts); 0 turns spot checks off.
   */
  verificationSampleRate: z.coerce.number().min(0).max(1).default(DEFAULT_VERIFICATION_SAMPLE_RATE),
  /**
   * A node whose reputation falls below this after a fault is quarantined: it takes no new
   * actors until an admin restores it (verification/reputation.ts says the rule); 0: never.
   */
  quarantineFloor: z.coerce.number().min(0).max(1).default(DEFAULT_QUARANTINE_FLOOR),
  /**
   * Onboarding (verification/onboarding.ts): a node's replica of a model takes no paid task until
   * the node has answered `onboardingTasks` known-answer tasks of the model right. Off
   * (NEUROGRID_ONBOARDING=false): every replica serves at once.
   */
  onboarding: z.boolean().default(true),
  /** At most verification/known-answers.ts KNOWN_ANSWERS_PER_MODEL. */
  onboardingTasks: z.coerce.number().int().min(1).max(8).default(3),
  /**
   * Canaries (verification/canaries.ts): known-answer tasks sent to each serving (node, model)
   * pair, this many per minute on average; 0 turns them off.
   */
  canaryRatePerNodePerMinute: z.coerce
    .number()
    .min(0)
    .max(60)
    .default(DEFAULT_CANARY_RATE_PER_NODE_PER_MINUTE),
  /**
   * How long after its capture a task's provider share stays in the provider's pending account
   * when no check of it is open (unchecked, or its check abandoned); a checked task's share moves
   * with its verdict (ledger/verification-money.ts). Only then can it be paid out.
   */
  verificationWindowMs: z.coerce.number().int().min(0).default(DEFAULT_VERIFICATION_WINDOW_MS),
  /**
   * The penalty of a node whose result a referee found wrong, times the task's provider share,
   * taken from its provider's pending earnings (capped at what they hold): ledger/verification-money.ts.
   */
  verificationPenaltyFactor: z.coerce.number().min(0).max(100).default(DEFAULT_VERIFICATION_PENALTY_FACTOR),
  /** How long the dispatcher waits for an actor to be placed and answer, per attempt. */
  taskTimeoutMs: z.coerce.number().int().min(100).default(60_000),
  /** HS256 secret for access tokens (NEUROGRID_JWT_SECRET). */
  jwtSecret: z.string().min(32, "must be at least 32 characters"),
  /** Secret shared with the head to sign node tokens (registerNode); none = no node tokens. */
  nodeTokenSecret: z.string().min(16).optional(),
  /** The development faucet (test NEURO for clients); never on in production. */
  faucet: z.boolean().default(false),
  /**
   * Token bucket per valid credential, else per client address (anonymous callers and bad
   * credentials), on /graphql, graphql-ws operations and /v1: sustained requests per second,
   * and burst (protection/admission.ts).
   */
  rateLimitPerSecond: z.coerce.number().positive().default(50),
  rateLimitBurst: z.coerce.number().int().min(1).default(100),
  /** GET /models/:sha256 downloads per second per node (or address), and burst. */
  artifactRateLimitPerSecond: z.coerce.number().positive().default(0.5),
  artifactRateLimitBurst: z.coerce.number().int().min(1).default(20),
  /** graphql-ws caps: open sockets per client address and per account; operations per socket. */
  wsSocketsPerAddress: z.coerce.number().int().min(1).default(64),
  wsSocketsPerAccount: z.coerce.number().int().min(1).default(32),
  wsOperationsPerSocket: z.coerce.number().int().min(1).default(100),
  /**
   * The internal port: health details and /metrics without a credential (Prometheus), bound to
   * `internalHost` (loopback unless set). Not set: none; the public port serves them to admins.
   */
  internalPort: z.coerce.number().int().min(0).max(65535).optional(),
  internalHost: z.string().default("127.0.0.1"),
  /**
   * How long a cached credential lives at most (identity/credential-cache.ts). Revocations are
   * pushed to every process at once; this bounds what a missed message can leave behind.
   */
  credentialCacheTtlMs: z.coerce.number().int().min(0).default(DEFAULT_CREDENTIAL_CACHE_TTL_MS),
  /**
   * Browser origins other than the api's own that may call it (CORS: server/cors.ts), e.g. a
   * separately hosted front end. A comma-separated list in NEUROGRID_CORS_ORIGINS. Empty: only
   * the dashboard on the api's own origin, which needs no CORS.
   */
  corsOrigins: z
    .preprocess(
      (v) =>
        typeof v === "string"
          ? v
              .split(",")
              .map((o) => o.trim())
              .filter((o) => o !== "")
          : v,
      z.array(originSchema),
    )
    .default([]),
  /** Query shape limits (HTTP and WebSocket). */
  maxDepth: z.coerce.number().int().min(2).default(10),
  maxCost: z.coerce.number().int().min(10).default(5000),
  /**
   * The domain wallet proofs name (Sign-In With Solana); the api's public host. Required when
   * payouts are on (a proof naming localhost proves nothing); "localhost" otherwise.
   */
  publicDomain: z.string().min(1).optional(),
  /**
   * Solana: RPC, mint and the treasury's address all set, or deposits and payouts are off. An api
   * process loads no key: payouts and withdrawals are signed by the payouts process alone
   * (`neurogrid payouts run`, payouts/payouts-process.ts), by the hot payout wallet whose address
   * is hotWalletAddress (the treasury check counts what it holds).
   */
  solanaRpcUrl: z.string().url().optional(),
  neuroMint: z.string().optional(),
  treasuryAddress: z.string().optional(),
  hotWalletAddress: z.string().optional(),
  solanaCommitment: z.enum(["confirmed", "finalized"]).default("finalized"),
  /** Payouts: between rounds of asking the chain whether transfers are confirmed. */
  payoutPollIntervalMs: z.coerce.number().int().min(1).default(2_000),
  /** Payouts: how long one run keeps settling before it leaves the rest for the next run. */
  payoutSettleTimeoutMs: z.coerce.number().int().min(1000).default(120_000),
  /** Earnings at or above this (decimal NEURO) are paid out. */
  payoutThreshold: z
    .string()
    .regex(/^\d+(\.\d{1,9})?$/)
    .default("10"),
  payoutIntervalMs: z.coerce.number().int().min(1000).default(60_000),
  /** Deposits: how long a Solana Pay transfer request may be paid (ms). */
  depositRequestTtlMs: z.coerce
    .number()
    .int()
    .min(1000)
    .default(15 * 60_000),
  /** Deposits: how often the watcher looks for payments to the treasury (ms). */
  depositWatchIntervalMs: z.coerce.number().int().min(100).default(5_000),
  /** Deposits: the label a wallet app shows for a transfer request. */
  depositLabel: z.string().min(1).max(64).default("NeuroGrid"),
  /**
   * Stakes: a provider registers a node only with at least this stake (decimal NEURO), and may
   * not unstake below it while it has nodes. "0": no minimum.
   */
  minProviderStake: z
    .string()
    .regex(/^\d+(\.\d{1,9})?$/)
    .default("0"),
  /** Stakes: how long an unstaked amount cools off before it returns to earnings (ms). */
  stakeCoolingOffMs: z.coerce
    .number()
    .int()
    .min(0)
    .default(7 * 24 * 60 * 60_000),
  /** How often the treasury reconciles with the ledger; a difference raises an admin alert (ms). */
  treasuryCheckIntervalMs: z.coerce
    .number()
    .int()
    .min(1000)
    .default(10 * 60_000),
  /** GPU alerts: a resolved alert's GPU and metric raise no new alert for this long. */
  alertCooldownMs: z.coerce.number().int().min(0).default(60_000),
  /** Alert webhooks: attempts per event and webhook (the first included). */
  alertWebhookAttempts: z.coerce.number().int().min(1).max(20).default(5),
  /** Alert webhooks: the wait before the second attempt, doubled before each further one. */
  alertWebhookBackoffMs: z.coerce.number().int().min(1).default(1_000),
  /** Alert webhooks: an attempt without an answer for this long has failed. */
  alertWebhookTimeoutMs: z.coerce.number().int().min(100).default(5_000),
  /** GPU metrics history: samples are written in one statement per this many ms. */
  gpuMetricsFlushMs: z.coerce.number().int().min(50).default(1000),
  /** GPU metrics history: the per-minute averaging and pruning job runs this often. */
  gpuMetricsJobIntervalMs: z.coerce.number().int().min(1000).default(60_000),
  /** Where model actors cache model files (passed to the actors). */
  modelCacheDir: z.string().optional(),
  /**
   * The api's public base URL, as workers on other machines reach it (https://api.example.com).
   * When set, model actors download registered models from <publicUrl>/models/<sha256> with a
   * per-artifact token (tasks/model-actor-spec.ts); when not, they read the local cache directory,
   * which works only on the api's own machine.
   */
  publicUrl: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), "an http or https URL")
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
});

/**
 * Settings that are fine alone but not together: refused when parsed, so a deployment cannot
 * start in a state that gives money away or accepts proofs for any site.
 */
const checkedApiConfigSchema = apiConfigSchema
  .superRefine((c, ctx) => {
    const payouts = Boolean(c.solanaRpcUrl || c.neuroMint || c.treasuryAddress);
    if (!payouts) return;
    if (c.faucet) {
      ctx.addIssue({
        code: "custom",
        path: ["faucet"],
        message: "the development faucet cannot be on while payouts are on (faucet NEURO would be paid out)",
      });
    }
    if (!c.publicDomain || /^(localhost|127\.|\[?::1\]?$)/i.test(c.publicDomain)) {
      ctx.addIssue({
        code: "custom",
        path: ["publicDomain"],
        message: "payouts need NEUROGRID_PUBLIC_DOMAIN: the public domain wallet proofs name",
      });
    }
  })
  .transform((c) => ({ ...c, publicDomain: c.publicDomain ?? "localhost" }));

export type ApiConfig = z.infer<typeof checkedApiConfigSchema>;

export function parseApiConfig(input: Record<string, unknown>): ApiConfig {
  const parsed = checkedApiConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid api configuration: ${issues}`);
  }
  return parsed.data;
}
