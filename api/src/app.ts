import { ClusterClient } from "@neurogrid/cluster";
import { AlertService } from "./alerts/alert-service.js";
import { DEFAULT_THRESHOLDS } from "./alerts/thresholds.js";
import { AlertWebhookNotifier } from "./alerts/webhook-notifier.js";
import { dispatcherFor, modelDeploymentsFor, taskRunningParts } from "./app-dispatcher.js";
import { clusterClientOptions } from "./cluster-access.js";
import { type ClusterEventSource, ClusterWatch } from "./cluster-events/cluster-watch.js";
import type { ApiConfig } from "./config.js";
import { openOrm } from "./db/orm.js";
import type { DepositChain } from "./deposits/deposit-watcher.js";
import { GpuMetricsRecorder } from "./gpu-metrics/gpu-metrics-recorder.js";
import { buildApiSchema } from "./graphql/build-schema.js";
import type { Services } from "./graphql/context.js";
import { CredentialCache } from "./identity/credential-cache.js";
import { JwtIssuer } from "./identity/jwt.js";
import { LoginBackoff } from "./identity/login.js";
import { createRedisConnections } from "./infra/redis-connections.js";
import { createLog } from "./observability/log.js";
import { chainFromConfig } from "./payouts/chain-from-config.js";
import { PayoutEventBus } from "./payouts/payout-events.js";
import { PayoutRunRequests } from "./payouts/payout-run-request.js";
import { type ApiServer, startApiServer } from "./server/api-server.js";
import { AnswerWait } from "./tasks/answer-wait.js";
import type { Dispatcher } from "./tasks/dispatcher.js";
import { PriorityCaps } from "./tasks/priority-caps.js";
import { TaskEventBus } from "./tasks/task-events.js";
import { TaskLeases } from "./tasks/task-leases.js";
import { TaskQueue } from "./tasks/task-queue.js";
import { treasuryPartsFor } from "./treasury/treasury-parts.js";

/**
 * One api process: the GraphQL server and (unless turned off) the dispatcher, composed from a
 * parsed ApiConfig. Migrations are not run here: `neurogrid migrate` (or `up`) does that.
 */
export interface ApiProcess {
  server: ApiServer;
  services: Services;
  close(): Promise<void>;
}

export interface ApiProcessExtras {
  /** Tests: ORM hooks (query counting). */
  orm?: Parameters<typeof openOrm>[1];
  /** Tests: the chain (the in-process runtime) instead of the configured RPC. */
  chain?: DepositChain;
  /** Benches: where cluster events come from instead of the head (e.g. synthetic telemetry). */
  clusterEvents?: ClusterEventSource;
}

export async function startApiProcess(
  config: ApiConfig,
  log: (msg: string, err?: unknown) => void = defaultLog,
  extras: ApiProcessExtras = {},
): Promise<ApiProcess> {
  const orm = await openOrm(config.databaseUrl, extras.orm ?? {});
  const redis = createRedisConnections(config);
  const connection = redis.bullmq();
  const queue = new TaskQueue({ connection, prefix: redis.bullPrefix, attempts: config.taskAttempts });
  const events = new TaskEventBus(redis);
  const cluster = new ClusterClient(clusterClientOptions(config));
  const payoutEvents = new PayoutEventBus(redis);
  const clusterWatch = new ClusterWatch(extras.clusterEvents ?? cluster, (m) => log(m));
  const deployments = modelDeploymentsFor(config, cluster);
  // An api process loads no key: it records payout and withdrawal requests, and the payouts
  // process (payouts/payouts-process.ts) signs them.
  const chain = extras.chain ?? chainFromConfig(config);
  const payoutRuns = chain ? new PayoutRunRequests(redis) : undefined;
  const { store, runner, trust } = taskRunningParts(config, { orm, deployments, events, cluster }, log);
  const leases = new TaskLeases(queue, { leaseMs: config.jobLockMs, log: (m) => log(m) });
  const jwt = new JwtIssuer(config.jwtSecret);
  // Credential look-ups cached in this process; revocations reach every api process via Redis.
  const credentials = new CredentialCache({
    connections: redis,
    ttlMs: config.credentialCacheTtlMs,
    accessTokenTtlMs: jwt.ttlMs,
  });
  await credentials.start();
  const services: Services = {
    store,
    runner,
    trust,
    leases,
    priorities: new PriorityCaps(orm, config.defaultMaxPriority),
    config,
    orm,
    queue,
    events,
    cluster,
    deployments,
    jwt,
    credentials,
    logins: new LoginBackoff(connection, config.redisPrefix),
    redis: connection,
    payoutEvents,
    payoutRuns,
    clusterWatch,
    log: (msg) => log(msg),
    alerts: new AlertService(orm, clusterWatch, redis, DEFAULT_THRESHOLDS, config.alertCooldownMs, log),
  };
  services.alerts.start();
  const webhooks = new AlertWebhookNotifier(
    orm,
    {
      attempts: config.alertWebhookAttempts,
      backoffBaseMs: config.alertWebhookBackoffMs,
      timeoutMs: config.alertWebhookTimeoutMs,
    },
    log,
  );
  services.alerts.onRecorded((event) => webhooks.notify(event));
  webhooks.start();
  const gpuMetrics = new GpuMetricsRecorder(orm, clusterWatch, {
    flushMs: config.gpuMetricsFlushMs,
    jobIntervalMs: config.gpuMetricsJobIntervalMs,
    log,
  });
  gpuMetrics.start();
  const treasury = chain
    ? treasuryPartsFor(config, { orm, redis, chain, alerts: services.alerts }, log)
    : undefined;
  services.deposits = treasury?.deposits;
  services.depositEvents = treasury?.events;
  services.withdrawals = treasury?.withdrawals;
  services.stakes = treasury?.stakes;
  let dispatcher: Dispatcher | undefined;
  if (config.dispatcher) {
    dispatcher = dispatcherFor(config, { orm, runner, events, queue, leases, connection }, log);
    await dispatcher.start();
    services.local = dispatcher.local;
    services.answers = new AnswerWait(config.answerWaitMs);
    await treasury?.schedule();
  }
  const schema = await buildApiSchema();
  const server = await startApiServer(schema, services, {
    host: config.host,
    port: config.port,
    redis,
    log,
  });
  return {
    server,
    services,
    close: async () => {
      await gpuMetrics.stop();
      await services.alerts.close();
      await webhooks.close();
      services.clusterWatch.stop();
      await server.close();
      await credentials.close();
      await dispatcher?.close();
      await trust.close();
      leases.close();
      await deployments.close();
      await payoutRuns?.close();
      await treasury?.close();
      await payoutEvents.close();
      await queue.close();
      await events.close();
      cluster.close();
      await redis.close();
      await orm.close();
    },
  };
}

/** The process's log: JSON lines on stderr, secrets redacted (observability/log.ts). */
export const defaultLog = createLog();
