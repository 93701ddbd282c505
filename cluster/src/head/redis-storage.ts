/**
 * HeadStorage on Redis: four hashes under a key prefix (one head per prefix), each field a
 * JSON record: `<prefix>nodes` (node id), `<prefix>actors` (actor id), `<prefix>groups`
 * (placement group id) and `<prefix>names` ((namespace, name) -> actor id); and a set,
 * `<prefix>revoked` (revoked node ids). Commands go down
 * one connection, so Redis applies them in the order they were made; flush() is a PING behind
 * them. A write that fails is logged (ioredis retries while Redis is unreachable, and queues).
 */
import { Redis } from "ioredis";
import type { LogFn } from "../logging/logger.js";
import type { HeadStorage, StoredActor, StoredGroup, StoredNode, StoredTables } from "./storage.js";

export interface RedisStorageOptions {
  /** redis://[user:pass@]host:port[/db] */
  url: string;
  prefix: string;
  log: LogFn;
}

export class RedisStorage implements HeadStorage {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #log: LogFn;

  constructor(options: RedisStorageOptions) {
    this.#redis = new Redis(options.url, { maxRetriesPerRequest: null, lazyConnect: false });
    this.#redis.on("error", () => {}); // reconnects by itself; failed writes are logged below
    this.#prefix = options.prefix;
    this.#log = options.log;
  }

  async load(): Promise<StoredTables> {
    const [[nodes, actors, groups, names], revoked] = await Promise.all([
      Promise.all(
        ["nodes", "actors", "groups", "names"].map((table) => this.#redis.hgetall(this.#key(table))),
      ),
      this.#redis.smembers(this.#key("revoked")),
    ]);
    const parse = <T>(table: Record<string, string> | undefined): T[] =>
      Object.values(table ?? {}).map((json) => JSON.parse(json) as T);
    return {
      nodes: parse<StoredNode>(nodes),
      actors: parse<StoredActor>(actors),
      groups: parse<StoredGroup>(groups),
      names: new Map(Object.entries(names ?? {})),
      revoked,
    };
  }

  putRevoked(nodeId: string): void {
    this.#write(this.#redis.sadd(this.#key("revoked"), nodeId));
  }

  putNode(node: StoredNode): void {
    this.#write(this.#redis.hset(this.#key("nodes"), node.nodeId, JSON.stringify(node)));
  }

  deleteNode(nodeId: string): void {
    this.#write(this.#redis.hdel(this.#key("nodes"), nodeId));
  }

  putActor(actor: StoredActor): void {
    this.#write(this.#redis.hset(this.#key("actors"), actor.info.actorId, JSON.stringify(actor)));
  }

  deleteActor(actorId: string): void {
    this.#write(this.#redis.hdel(this.#key("actors"), actorId));
  }

  putName(key: string, actorId: string): void {
    this.#write(this.#redis.hset(this.#key("names"), key, actorId));
  }

  putGroup(group: StoredGroup): void {
    this.#write(this.#redis.hset(this.#key("groups"), group.info.placementGroupId, JSON.stringify(group)));
  }

  async flush(): Promise<void> {
    await this.#redis.ping();
  }

  async close(): Promise<void> {
    await this.flush().catch(() => {});
    this.#redis.disconnect();
  }

  #key(table: string): string {
    return `${this.#prefix}${table}`;
  }

  #write(pending: Promise<unknown>): void {
    pending.catch((err: unknown) => this.#log(`storage write failed: ${(err as Error).message}`));
  }
}
