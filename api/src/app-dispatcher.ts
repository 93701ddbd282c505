import { ClusterClient } from "@neurogrid/cluster";
import { Redis } from "ioredis";
import type { ApiConfig } from "./config.js";
import { openOrm } from "./db/orm.js";
import { Dispatcher, type DispatcherOptions } from "./tasks/dispatcher.js";
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
  const dispatcher = dispatcherFor(config, { orm, cluster, events, queue }, log);
  await dispatcher.start();
  return {
    close: async () => {
      await dispatcher.close();
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
  parts: Pick<DispatcherOptions, "orm" | "cluster" | "events" | "queue">,
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
    modelCacheDir: config.modelCacheDir,
    log,
  });
}
