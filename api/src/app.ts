import { ClusterClient } from "@neurogrid/cluster";
import { Redis } from "ioredis";
import { dispatcherFor } from "./app-dispatcher.js";
import type { ApiConfig } from "./config.js";
import { openOrm } from "./db/orm.js";
import { buildApiSchema } from "./graphql/build-schema.js";
import type { Services } from "./graphql/context.js";
import { JwtIssuer } from "./identity/jwt.js";
import { type ApiServer, startApiServer } from "./server/api-server.js";
import type { Dispatcher } from "./tasks/dispatcher.js";
import { TaskEventBus } from "./tasks/task-events.js";
import { TaskQueue } from "./tasks/task-queue.js";

/**
 * One api process: the GraphQL server and (unless turned off) the dispatcher, composed from a
 * parsed ApiConfig. Migrations are not run here: `neurogrid migrate` (or `up`) does that.
 */
export interface ApiProcess {
  server: ApiServer;
  services: Services;
  close(): Promise<void>;
}

export async function startApiProcess(
  config: ApiConfig,
  log: (msg: string, err?: unknown) => void = defaultLog,
  ormOptions: Parameters<typeof openOrm>[1] = {},
): Promise<ApiProcess> {
  const orm = await openOrm(config.databaseUrl, ormOptions);
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const bullPrefix = `${config.redisPrefix}:bull`;
  const queue = new TaskQueue({ connection, prefix: bullPrefix, attempts: config.taskAttempts });
  const events = new TaskEventBus(config.redisUrl, config.redisPrefix);
  const cluster = new ClusterClient({ headAddress: config.headAddress });
  const services: Services = {
    config,
    orm,
    queue,
    events,
    cluster,
    jwt: new JwtIssuer(config.jwtSecret),
    redis: connection,
  };
  let dispatcher: Dispatcher | undefined;
  if (config.dispatcher) {
    dispatcher = dispatcherFor(config, { orm, cluster, events, queue }, log);
    await dispatcher.start();
  }
  const schema = await buildApiSchema();
  const server = await startApiServer(schema, services, { host: config.host, port: config.port, log });
  return {
    server,
    services,
    close: async () => {
      await server.close();
      await dispatcher?.close();
      await queue.close();
      await events.close();
      cluster.close();
      connection.disconnect();
      await orm.close();
    },
  };
}

export function defaultLog(msg: string, err?: unknown): void {
  const detail = err instanceof Error ? ` ${err.stack ?? err.message}` : err ? ` ${String(err)}` : "";
  process.stderr.write(`${new Date().toISOString()} ${msg}${detail}\n`);
}
