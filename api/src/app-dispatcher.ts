import type { MikroORM } from "@mikro-orm/postgresql";
import { ClusterClient } from "@neurogrid/cluster";
import { clusterClientOptions } from "./cluster-access.js";
import type { ApiConfig } from "./config.js";
import { openOrm } from "./db/orm.js";
import { createRedisConnections } from "./infra/redis-connections.js";
import { type HeadQuarantine, quarantinePolicyOf } from "./nodes/node-quarantine.js";
import type { AttemptRunner } from "./tasks/attempt-runner.js";
import { Dispatcher, type DispatcherOptions } from "./tasks/dispatcher.js";
import { modelActorSourceOf, modelActorSpec } from "./tasks/model-actor-spec.js";
import { ModelDeployments } from "./tasks/model-deployments.js";
import { processRunner } from "./tasks/process-runner.js";
import type { ModelDeploymentSource } from "./tasks/ready-deployments.js";
import { TaskEventBus } from "./tasks/task-events.js";
import { TaskLeases } from "./tasks/task-leases.js";
import { TaskQueue } from "./tasks/task-queue.js";
import { PgTaskStore } from "./tasks/task-store.js";
import { NodeTrust } from "./verification/node-trust.js";
import { ReputationStore } from "./verification/reputation-store.js";

/**
 * A dispatcher process on its own (`neurogrid dispatcher`): the BullMQ worker that runs tasks,
 * without the GraphQL server. Run several for throughput or availability; BullMQ gives each
 * job to one of them at a time, and the task id keeps every charge single.
 */
export async function startDispatcherProcess(
  config: ApiConfig,
  log: (msg: string, err?: unknown) => void,
): Promise<{ close(): Promise<void> }> {
  const orm = await openOrm(config.databaseUrl);
  const redis = createRedisConnections(config);
  const queue = new TaskQueue({
    connection: redis.bullmq(),
    prefix: redis.bullPrefix,
    attempts: config.taskAttempts,
  });
  const events = new TaskEventBus(redis);
  const cluster = new ClusterClient(clusterClientOptions(config));
  const deployments = modelDeploymentsFor(config, cluster);
  const { runner, trust } = taskRunningParts(config, { orm, deployments, events, cluster }, log);
  const leases = new TaskLeases(queue, { leaseMs: config.jobLockMs, log: (m) => log(m) });
  const dispatcher = dispatcherFor(
    config,
    { orm, runner, events, queue, leases, connection: redis.bullmq() },
    log,
  );
  await dispatcher.start();
  return {
    close: async () => {
      await dispatcher.close();
      await trust.close();
      leases.close();
      await deployments.close();
      await queue.close();
      await events.close();
      cluster.close();
      await redis.close();
      await orm.close();
    },
  };
}

/**
 * The parts of a process that runs tasks: its task store, its one attempt runner, and its
 * known-answer checks of nodes (onboarding's gate on the runner's deployments, and canaries,
 * started here; the caller closes them).
 */
export function taskRunningParts(
  config: ApiConfig,
  parts: {
    orm: MikroORM;
    deployments: ModelDeploymentSource;
    events: TaskEventBus;
    cluster: HeadQuarantine;
  },
  log: (msg: string, err?: unknown) => void,
): { store: PgTaskStore; runner: AttemptRunner; trust: NodeTrust } {
  const store = new PgTaskStore(parts.orm.em, log);
  // Whatever finds a node at fault (a check's referee, a wrong known answer) tells quarantine.
  const quarantine =
    config.quarantineFloor > 0
      ? quarantinePolicyOf(
          parts.orm,
          parts.cluster,
          new ReputationStore(parts.orm.em),
          config.quarantineFloor,
          log,
        )
      : undefined;
  const afterFault = quarantine ? { afterFault: (nodeId: string) => quarantine.afterFault(nodeId) } : {};
  const trust = new NodeTrust(
    parts.orm.em,
    {
      onboarding: config.onboarding,
      onboardingTasks: config.onboardingTasks,
      canaryRatePerNodePerMinute: config.canaryRatePerNodePerMinute,
      callTimeoutMs: config.taskTimeoutMs,
      modelCacheDir: config.modelCacheDir,
    },
    {
      log: (m) => log(m),
      ...(quarantine ? { onFault: async (id) => void (await quarantine.afterFault(id)) } : {}),
    },
  );
  trust.start();
  const runner = processRunner(
    { ...parts, store, gate: trust.gate, ...afterFault },
    {
      platformFeeBps: config.platformFeeBps,
      taskTimeoutMs: config.taskTimeoutMs,
      startWriteDelayMs: config.startWriteDelayMs,
      maxResultChars: config.maxResultChars,
      verificationSampleRate: config.verificationSampleRate,
      verificationWindowMs: config.verificationWindowMs,
      verificationPenaltyFactor: config.verificationPenaltyFactor,
    },
    (m) => log(m),
  );
  return { store, runner, trust };
}

/** The dispatcher of a configuration, over the parts its process already has. */
export function dispatcherFor(
  config: ApiConfig,
  parts: Pick<DispatcherOptions, "orm" | "runner" | "events" | "queue" | "leases" | "connection">,
  log: (msg: string, err?: unknown) => void,
): Dispatcher {
  return new Dispatcher({
    ...parts,
    prefix: `${config.redisPrefix}:bull`,
    concurrency: config.dispatcherConcurrency,
    jobLockMs: config.jobLockMs,
    localBacklogMs: config.localBacklogMs,
    log,
  });
}

/** Each model version's deployment, with replicas made as this configuration says (model-actor-spec.ts). */
export function modelDeploymentsFor(config: ApiConfig, cluster: ClusterClient): ModelDeployments {
  const source = modelActorSourceOf(config);
  return new ModelDeployments(cluster, (manifest) => modelActorSpec(manifest, source));
}
