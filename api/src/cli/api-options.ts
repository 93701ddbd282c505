import { type ApiConfig, parseApiConfig } from "../config.js";

/** Flags of `neurogrid api` / `up`; each falls back to its environment variable. */
export interface ApiFlags {
  databaseUrl?: string;
  redisUrl?: string;
  head?: string;
  host?: string;
  port?: string;
  dispatcher?: boolean;
}

export function apiConfigFrom(
  flags: ApiFlags,
  env: NodeJS.ProcessEnv,
  defaults: Partial<ApiConfig> = {},
): ApiConfig {
  return parseApiConfig({
    ...defaults,
    ...defined({
      databaseUrl: flags.databaseUrl ?? env.DATABASE_URL,
      redisUrl: flags.redisUrl ?? env.REDIS_URL,
      redisPrefix: env.NEUROGRID_REDIS_PREFIX,
      headAddress: flags.head ?? env.NEUROGRID_HEAD_ADDRESS,
      clusterTlsCa: env.NEUROGRID_TLS_CA,
      clusterTlsCert: env.NEUROGRID_TLS_CERT,
      clusterTlsKey: env.NEUROGRID_TLS_KEY,
      clusterCredential: env.NEUROGRID_CLUSTER_CREDENTIAL,
      host: flags.host ?? env.NEUROGRID_API_HOST,
      port: flags.port ?? env.NEUROGRID_API_PORT,
      platformFeeBps: env.NEUROGRID_PLATFORM_FEE_BPS,
      dispatcherConcurrency: env.NEUROGRID_DISPATCHER_CONCURRENCY,
      taskAttempts: env.NEUROGRID_TASK_ATTEMPTS,
      jobLockMs: env.NEUROGRID_JOB_LOCK_MS,
      startWriteDelayMs: env.NEUROGRID_START_WRITE_DELAY_MS,
      maxResultChars: env.NEUROGRID_MAX_RESULT_CHARS,
      localBacklogMs: env.NEUROGRID_LOCAL_BACKLOG_MS,
      answerWaitMs: env.NEUROGRID_ANSWER_WAIT_MS,
      walletRelinkCooldownMs: env.NEUROGRID_WALLET_RELINK_COOLDOWN_MS,
      defaultMaxPriority: env.NEUROGRID_DEFAULT_MAX_PRIORITY,
      taskTimeoutMs: env.NEUROGRID_TASK_TIMEOUT_MS,
      verificationSampleRate: env.NEUROGRID_VERIFICATION_SAMPLE_RATE,
      quarantineFloor: env.NEUROGRID_QUARANTINE_FLOOR,
      onboarding:
        env.NEUROGRID_ONBOARDING === undefined
          ? undefined
          : !(env.NEUROGRID_ONBOARDING === "0" || env.NEUROGRID_ONBOARDING === "false"),
      onboardingTasks: env.NEUROGRID_ONBOARDING_TASKS,
      canaryRatePerNodePerMinute: env.NEUROGRID_CANARY_RATE_PER_NODE_PER_MINUTE,
      verificationWindowMs: env.NEUROGRID_VERIFICATION_WINDOW_MS,
      verificationPenaltyFactor: env.NEUROGRID_VERIFICATION_PENALTY_FACTOR,
      modelCacheDir: env.NEUROGRID_MODEL_CACHE_DIR,
      publicUrl: env.NEUROGRID_PUBLIC_URL,
      jwtSecret: env.NEUROGRID_JWT_SECRET,
      alertCooldownMs: env.NEUROGRID_ALERT_COOLDOWN_MS,
      alertWebhookAttempts: env.NEUROGRID_ALERT_WEBHOOK_ATTEMPTS,
      alertWebhookBackoffMs: env.NEUROGRID_ALERT_WEBHOOK_BACKOFF_MS,
      alertWebhookTimeoutMs: env.NEUROGRID_ALERT_WEBHOOK_TIMEOUT_MS,
      gpuMetricsFlushMs: env.NEUROGRID_GPU_METRICS_FLUSH_MS,
      gpuMetricsJobIntervalMs: env.NEUROGRID_GPU_METRICS_JOB_INTERVAL_MS,
      publicDomain: env.NEUROGRID_PUBLIC_DOMAIN,
      solanaRpcUrl: env.SOLANA_RPC_URL,
      neuroMint: env.NEURO_MINT,
      treasuryAddress: env.NEUROGRID_TREASURY_ADDRESS,
      hotWalletAddress: env.NEUROGRID_HOT_WALLET_ADDRESS,
      solanaCommitment: env.SOLANA_COMMITMENT,
      payoutThreshold: env.NEUROGRID_PAYOUT_THRESHOLD,
      payoutIntervalMs: env.NEUROGRID_PAYOUT_INTERVAL_MS,
      payoutPollIntervalMs: env.NEUROGRID_PAYOUT_POLL_INTERVAL_MS,
      payoutSettleTimeoutMs: env.NEUROGRID_PAYOUT_SETTLE_TIMEOUT_MS,
      depositRequestTtlMs: env.NEUROGRID_DEPOSIT_REQUEST_TTL_MS,
      depositWatchIntervalMs: env.NEUROGRID_DEPOSIT_WATCH_INTERVAL_MS,
      depositLabel: env.NEUROGRID_DEPOSIT_LABEL,
      stakeCoolingOffMs: env.NEUROGRID_STAKE_COOLING_OFF_MS,
      minProviderStake: env.NEUROGRID_MIN_PROVIDER_STAKE,
      treasuryCheckIntervalMs: env.NEUROGRID_TREASURY_CHECK_INTERVAL_MS,
      rateLimitPerSecond: env.NEUROGRID_RATE_LIMIT_PER_SECOND,
      rateLimitBurst: env.NEUROGRID_RATE_LIMIT_BURST,
      artifactRateLimitPerSecond: env.NEUROGRID_ARTIFACT_RATE_LIMIT_PER_SECOND,
      artifactRateLimitBurst: env.NEUROGRID_ARTIFACT_RATE_LIMIT_BURST,
      wsSocketsPerAddress: env.NEUROGRID_WS_SOCKETS_PER_ADDRESS,
      wsSocketsPerAccount: env.NEUROGRID_WS_SOCKETS_PER_ACCOUNT,
      wsOperationsPerSocket: env.NEUROGRID_WS_OPERATIONS_PER_SOCKET,
      internalPort: env.NEUROGRID_INTERNAL_PORT,
      internalHost: env.NEUROGRID_INTERNAL_HOST,
      credentialCacheTtlMs: env.NEUROGRID_CREDENTIAL_CACHE_TTL_MS,
      corsOrigins: env.NEUROGRID_CORS_ORIGINS,
      maxDepth: env.NEUROGRID_MAX_QUERY_DEPTH,
      maxCost: env.NEUROGRID_MAX_QUERY_COST,
      nodeTokenSecret: env.NEUROGRID_NODE_TOKEN_SECRET,
      faucet:
        env.NEUROGRID_FAUCET === undefined
          ? undefined
          : env.NEUROGRID_FAUCET === "1" || env.NEUROGRID_FAUCET === "true",
      dispatcher: flags.dispatcher,
    }),
  });
}

function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ""));
}
