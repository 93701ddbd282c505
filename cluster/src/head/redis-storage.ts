/**
 * HeadStorage on Redis: four hashes under a key prefix (one head per prefix), each field a
 * JSON record: `<prefix>nodes` (node id), `<prefix>actors` (actor id), `<prefix>groups`
 * (placement group id), `<prefix>names` ((namespace, name) -> actor id) and
 * `<prefix>quarantined` (node id -> its quarantine); and a set, `<prefix>revoked` (revoked node
 * ids). Commands go down
 * one connection, so Redis applies them in the order they were made; flush() is a PING behind
 * them. A write that fails is logged (ioredis retries while Redis is unreachable, and queues).
 *
 * A Redis that comes back empty (restarted without persistence, or failed over to an empty
 * replica) would leave the tables with only the changes made since: a head restarted after that
 * would adopt nothing. So the storage keeps what it has written (the mirror, in memory) and a
 * marker key; each time its connection is ready again and the marker is gone, it writes the
 * whole mirror back, marker last, in one transaction.
 */
import { Redis } from "ioredis";
import type { LogFn } from "../logging/logger.js";
import type {
  HeadStorage,
  StoredActor,
  StoredGroup,
  StoredNode,
  StoredQuarantine,
  StoredTables,
} from "./storage.js";

export interface RedisStorageOptions {
  /** redis://[user:pass@]host:port[/db] */
  url: string;
  prefix: string;
  log: LogFn;
}

/** What the storage has written, table by table: field -> value (the revoked set as fields). */
type Mirror = Record<Table | "revoked", Map<string, string>>;

/** The hashes, each field a JSON record (names: an actor id). */
type Table = "nodes" | "actors" | "groups" | "names" | "quarantined";
const TABLES: readonly Table[] = ["nodes", "actors", "groups", "names", "quarantined"];

export class RedisStorage implements HeadStorage {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #log: LogFn;
  readonly #mirror: Mirror = {
    nodes: new Map(),
    actors: new Map(),
    groups: new Map(),
    names: new Map(),
    quarantined: new Map(),
    revoked: new Map(),
  };
  #restoring: Promise<void> | undefined;

  constructor(options: RedisStorageOptions) {
    this.#prefix = options.prefix;
    this.#log = options.log;
    this.#redis = new Redis(options.url, {
      maxRetriesPerRequest: null,
      lazyConnect: false,
      connectionName: `neurogrid-head-storage:${options.prefix}`,
    });
    this.#redis.on("error", () => {}); // reconnects by itself; failed writes are logged below
    this.#redis.on("ready", () => {
      this.#restoring = this.#restoreIfEmptied().catch((err: unknown) =>
        this.#log(`storage: rewriting the tables failed: ${(err as Error).message}`),
      );
    });
  }

  async load(): Promise<StoredTables> {
    const [[nodes, actors, groups, names, quarantined], revoked] = await Promise.all([
      Promise.all(TABLES.map((table) => this.#redis.hgetall(this.#key(table)))),
      this.#redis.smembers(this.#key("revoked")),
    ]);
    const loaded = { nodes, actors, groups, names, quarantined } as Record<
      string,
      Record<string, string> | undefined
    >;
    for (const table of TABLES) {
      for (const [field, value] of Object.entries(loaded[table] ?? {})) this.#mirror[table].set(field, value);
    }
    for (const id of revoked) this.#mirror.revoked.set(id, "");
    await this.#redis.set(this.#key("marker"), "1");
    const parse = <T>(table: Record<string, string> | undefined): T[] =>
      Object.values(table ?? {}).map((json) => JSON.parse(json) as T);
    return {
      nodes: parse<StoredNode>(nodes),
      actors: parse<StoredActor>(actors),
      groups: parse<StoredGroup>(groups),
      names: new Map(Object.entries(names ?? {})),
      revoked,
      quarantined: parse<StoredQuarantine>(quarantined),
    };
  }

  putRevoked(nodeId: string): void {
    this.#mirror.revoked.set(nodeId, "");
    this.#write(this.#redis.sadd(this.#key("revoked"), nodeId));
  }

  putQuarantine(quarantine: StoredQuarantine): void {
    this.#put("quarantined", quarantine.nodeId, JSON.stringify(quarantine));
  }

  deleteQuarantine(nodeId: string): void {
    this.#delete("quarantined", nodeId);
  }

  putNode(node: StoredNode): void {
    this.#put("nodes", node.nodeId, JSON.stringify(node));
  }

  deleteNode(nodeId: string): void {
    this.#delete("nodes", nodeId);
  }

  putActor(actor: StoredActor): void {
    this.#put("actors", actor.info.actorId, JSON.stringify(actor));
  }

  deleteActor(actorId: string): void {
    this.#delete("actors", actorId);
  }

  putName(key: string, actorId: string): void {
    this.#put("names", key, actorId);
  }

  putGroup(group: StoredGroup): void {
    this.#put("groups", group.info.placementGroupId, JSON.stringify(group));
  }

  async flush(): Promise<void> {
    await this.#restoring;
    await this.#redis.ping();
  }

  async close(): Promise<void> {
    await this.flush().catch(() => {});
    this.#redis.disconnect();
  }

  #key(table: string): string {
    return `${this.#prefix}${table}`;
  }

  #put(table: Table, field: string, value: string): void {
    this.#mirror[table].set(field, value);
    this.#write(this.#redis.hset(this.#key(table), field, value));
  }

  #delete(table: "nodes" | "actors" | "quarantined", field: string): void {
    this.#mirror[table].delete(field);
    this.#write(this.#redis.hdel(this.#key(table), field));
  }

  /** After a reconnect: the whole mirror written back if Redis lost the tables (no marker). */
  async #restoreIfEmptied(): Promise<void> {
    if ((await this.#redis.exists(this.#key("marker"))) === 1) return;
    const tx = this.#redis.multi();
    for (const table of TABLES) {
      const rows = this.#mirror[table];
      if (rows.size > 0) tx.hset(this.#key(table), Object.fromEntries(rows));
    }
    if (this.#mirror.revoked.size > 0) tx.sadd(this.#key("revoked"), ...this.#mirror.revoked.keys());
    tx.set(this.#key("marker"), "1");
    await tx.exec();
    const rows = Object.values(this.#mirror).reduce((n, m) => n + m.size, 0);
    this.#log(`storage: Redis came back without the head's tables; wrote back ${rows} rows`);
  }

  #write(pending: Promise<unknown>): void {
    pending.catch((err: unknown) => this.#log(`storage write failed: ${(err as Error).message}`));
  }
}
