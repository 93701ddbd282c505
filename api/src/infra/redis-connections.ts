import { Redis, type RedisOptions } from "ioredis";
import type { ApiConfig } from "../config.js";

/**
 * Every Redis connection of an api process, made by one factory built once from the parsed
 * configuration (its URL and key prefix) and passed down. Three roles:
 *
 * - `bullmq()`: the process's BullMQ connection (queues and workers; a BullMQ Worker makes its
 *   own blocking connection from it). `maxRetriesPerRequest: null`, as BullMQ requires: a command
 *   waits for Redis to come back instead of failing.
 * - `commands()`: the process's connection for plain commands and publishes. A command fails
 *   after COMMAND_RETRIES reconnections; the publishes of one tick go out in one write
 *   (auto-pipelining).
 * - `subscriber()`: a new connection for each call, since a subscribed connection can run
 *   nothing else. Its user may quit it when done listening. It skips ioredis's ready check
 *   (INFO) and its client-info commands: a SUBSCRIBE sent while they were pending could put the
 *   connection in subscriber mode first, and the INFO then failed the connection and the
 *   SUBSCRIBE with it ("Connection in subscriber mode, only subscriber commands may be used":
 *   ioredis issue 2037, seen in CI). SUBSCRIBE is served while Redis loads, so nothing waits on
 *   the check.
 *
 * The factory owns what it made: users never quit `bullmq()` or `commands()`, and `close()`
 * quits everything still open (the api process calls it last, after what used the connections).
 * Connection errors are retried by ioredis; they must not crash the process meanwhile.
 */
export interface RedisConnections {
  /** Prefix of every Redis key and channel of this deployment (ApiConfig.redisPrefix). */
  readonly prefix: string;
  /** Prefix of the BullMQ keys (`<prefix>:bull`). */
  readonly bullPrefix: string;
  /** The shared BullMQ connection (made on first use). */
  bullmq(): Redis;
  /** The shared connection for commands and publishes (made on first use). */
  commands(): Redis;
  /** A new connection for one subscriber. */
  subscriber(): Redis;
  /** Quits every connection made here that is still open. */
  close(): Promise<void>;
}

type RedisConnectionsConfig = Pick<ApiConfig, "redisUrl" | "redisPrefix">;

/** Reconnections a command on the `commands()` connection waits through before it fails. */
const COMMAND_RETRIES = 3;

export function createRedisConnections(config: RedisConnectionsConfig): RedisConnections {
  const open = new Set<Redis>();
  let bullmq: Redis | undefined;
  let commands: Redis | undefined;
  let closed = false;
  const make = (options: RedisOptions, quiet = true): Redis => {
    if (closed) throw new Error("redis connections: already closed");
    const connection = new Redis(config.redisUrl, options);
    if (quiet) connection.on("error", () => {});
    open.add(connection);
    connection.once("end", () => open.delete(connection));
    return connection;
  };
  return {
    prefix: config.redisPrefix,
    bullPrefix: `${config.redisPrefix}:bull`,
    // BullMQ listens to its connections' errors itself (and reports them as its own).
    bullmq: () => {
      bullmq ??= make({ maxRetriesPerRequest: null }, false);
      return bullmq;
    },
    commands: () => {
      commands ??= make({ maxRetriesPerRequest: COMMAND_RETRIES, enableAutoPipelining: true });
      return commands;
    },
    subscriber: () => make({ enableReadyCheck: false, disableClientInfo: true }),
    close: async () => {
      closed = true;
      const all = [...open];
      open.clear();
      // QUIT waits for the replies still due; a connection that is not up is just dropped.
      await Promise.allSettled(
        all.map((c) => (c.status === "ready" ? c.quit() : Promise.resolve(c.disconnect()))),
      );
    },
  };
}
