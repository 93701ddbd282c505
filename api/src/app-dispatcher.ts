import { ClusterClient } from "@neurogrid/cluster";
import { Redis } from "ioredis";
import type { ApiConfig } from "./config.js";
import { openOrm } from "./db/orm.js";
import { Dispatcher, type DispatcherOptions } from "./tasks/dispatcher.js";
import { modelActorSourceOf, modelActorSpec } from "./tasks/model-actor-spec.js";
import { ModelDeployments } from "./tasks/model-deployments.js";
import { TaskEventBus } from "./tasks/task-events.js";
import { TaskQueue } from "./tasks/task-queue.js";

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
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const prefix = `${config.redisPrefix}:bull`;
  const queue = new TaskQueue({ connection, prefix, attempts: config.taskAttempts });
  const events = new TaskEventBus(config.redisUrl, config.redisPrefix);
  const cluster = new ClusterClient({ headAddress: config.headAddress });
  const deployments = modelDeploymentsFor(config, cluster);
  const dispatcher = dispatcherFor(config, { orm, deployments, events, queue }, log);
  await dispatcher.start();
  return {
    close: async () => {
      await dispatcher.close();
      await deployments.close();
      await queue.close();
      await events.close();
      cluster.close();
      connection.disconnect();
      await orm.close();
    },
  };
}

/** The dispatcher of a configuration, over the parts its process already has. */
export function dispatcherFor(
  config: ApiConfig,
  parts: Pick<DispatcherOptions, "orm" | "deployments" | "events" | "queue">,
  log: (msg: string, err?: unknown) => void,
): Dispatcher {
  return new Dispatcher({
    ...parts,
    redisUrl: config.redisUrl,
    prefix: `${config.redisPrefix}:bull`,
    concurrency: config.dispatcherConcurrency,
    platformFeeBps: config.platformFeeBps,
    taskTimeoutMs: config.taskTimeoutMs,
    jobLockMs: config.jobLockMs,
    startWriteDelayMs: config.startWriteDelayMs,
    localBacklogMs: config.localBacklogMs,
    answerWaitMs: config.answerWaitMs,
    log,
  });
}

/** Each model version's deployment, with replicas made as this configuration says (model-actor-spec.ts). */
export function modelDeploymentsFor(config: ApiConfig, cluster: ClusterClient): ModelDeployments {
  const source = modelActorSourceOf(config);
  return new ModelDeployments(cluster, (manifest) => modelActorSpec(manifest, source));
}
