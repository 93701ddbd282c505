import type { EventSubscriber, FlushEventArgs } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import type { Redis } from "ioredis";
import { DEFAULT_CREDENTIAL_CACHE_TTL_MS } from "../config.js";
import { Account, ApiKey } from "../db/entities/index.js";
import type { RedisConnections } from "../infra/redis-connections.js";
import { hashApiKey } from "./api-keys.js";
import type { FoundAccount } from "./caller.js";

/**
 * Credential look-ups cached in-process, so that an authenticated request costs no Postgres
 * round trip: API key (by its SHA-256) -> key id, scopes, account; access token's account id ->
 * account. Only valid credentials are cached (an unknown or revoked key is looked up each time,
 * behind the rate limit).
 *
 * Revocation is pushed, not waited out: whoever revokes a key through the ORM (the
 * `revokeApiKey` mutation: `revocationSubscriber` sees the flushed change) evicts the key here
 * and publishes its hash on `<prefix>:auth-invalidate`; every api process's cache listens there
 * and evicts it too, before the revoking mutation has answered. Messages missed while Redis was
 * away cannot be told apart, so a (re)connected listener drops everything it has. `ttlMs`
 * bounds how long any entry lives regardless (a backstop, not the mechanism).
 *
 * Accounts are cached as plain data, merged into a request's EntityManager (no query) when the
 * request first reads the entity (identity/caller.ts FoundAccount), so resolvers get an entity of
 * their own unit of work, and a request that needs only the account's id and role merges nothing.
 *
 * Access tokens are revoked before they expire through a revocation list: ids (a token's jti, or
 * the refresh-token family its login started) in the sorted set `<prefix>:access-revoked`, each
 * scored with the time after which no token it names can still be valid, and announced on the
 * same channel. Every process keeps the list in memory (loaded when its listener (re)connects,
 * then kept by the announcements), so checking a token costs no round trip; while the listener
 * is not up, each check asks Redis. `revokeFamily` is what logout and refresh-token reuse call.
 *
 * Listeners (`onInvalidate`) hear every invalidation, from this process or another: the
 * WebSocket server re-checks the sockets a revoked key, account or session had opened.
 */
export interface CredentialCacheOptions {
  /** The process's Redis connections; the channel is under their key prefix. */
  connections: RedisConnections;
  /** How long an entry lives at most (DEFAULT_CREDENTIAL_CACHE_TTL_MS when not given). */
  ttlMs?: number;
  /** Tests: a clock. */
  now?: () => number;
  /** How long an access token lives: a revoked family stays listed this long (one hour). */
  accessTokenTtlMs?: number;
}

type AccountData = Pick<Account, "id" | "name" | "email" | "passwordHash" | "role" | "createdAt">;

interface KeyEntry {
  keyId: string;
  account: AccountData;
  scopes: string[];
  at: number;
  /** When last_used_at was last written for this key (at most once a minute). */
  touchedAt: number;
}

interface AccountEntry {
  account: AccountData;
  at: number;
}

export interface Invalidation {
  keyHash?: string;
  accountId?: string;
  /** A revoked access-token id or refresh family, and until when (ms since the epoch). */
  accessId?: string;
  until?: number;
}

/** What revokes the access tokens of a refresh-token family (logout, reuse detection). */
export interface AccessRevoker {
  revokeFamily(familyId: string): Promise<void>;
}

const TOUCH_EVERY_MS = 60_000;
/** Entries per map; a full map is emptied (a bound, not an eviction policy). */
const MAX_ENTRIES = 100_000;

export class CredentialCache implements AccessRevoker {
  readonly #keys = new Map<string, KeyEntry>();
  readonly #accounts = new Map<string, AccountEntry>();
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #channel: string;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #revokedKey: string;
  readonly #accessTtlMs: number;
  /** Revoked access ids -> until when; complete only while `#revokedLoaded`. */
  readonly #revoked = new Map<string, number>();
  #revokedLoaded = false;
  #loads = 0;
  readonly #listeners = new Set<(what: Invalidation) => void>();
  #ready: Promise<void> | undefined;
  #listening = false;
  #closed = false;
  /** Bumped by every eviction: a look-up that overlapped one does not cache what it read. */
  #generation = 0;

  constructor(opts: CredentialCacheOptions) {
    this.#channel = `${opts.connections.prefix}:auth-invalidate`;
    this.#revokedKey = `${opts.connections.prefix}:access-revoked`;
    this.#accessTtlMs = opts.accessTokenTtlMs ?? 3_600_000;
    this.#ttlMs = opts.ttlMs ?? DEFAULT_CREDENTIAL_CACHE_TTL_MS;
    this.#now = opts.now ?? Date.now;
    this.#pub = opts.connections.commands();
    this.#sub = opts.connections.subscriber();
    this.#sub.on("message", (channel: string, text: string) => {
      if (channel === this.#channel) this.#evict(JSON.parse(text) as Invalidation);
    });
    // Every (re)connection: whatever was published while we were away is unknown, so forget all
    // (and read the revocation list again).
    this.#sub.on("ready", () => {
      this.clear();
      if (this.#listening) void this.#loadRevoked();
    });
  }

  /** Resolves once the invalidation channel is subscribed; nothing is cached before that. */
  start(): Promise<void> {
    this.#ready ??= this.#sub.subscribe(this.#channel).then(async () => {
      this.#listening = true;
      await this.#loadRevoked();
    });
    return this.#ready;
  }

  /** Hears every invalidation (keys, accounts, access revocations); returns the unsubscribe. */
  onInvalidate(listener: (what: Invalidation) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Whether any of these access ids (a token's jti, its family) is revoked. From memory while the
   * list is loaded and kept; otherwise one Redis round trip.
   */
  async accessRevoked(ids: (string | undefined)[]): Promise<boolean> {
    const named = ids.filter((id): id is string => id !== undefined);
    if (named.length === 0) return false;
    const now = this.#now();
    if (this.#revokedLoaded && this.#sub.status === "ready") {
      return named.some((id) => (this.#revoked.get(id) ?? 0) > now);
    }
    const scores = await this.#pub.zmscore(this.#revokedKey, ...named);
    return scores.some((score) => score !== null && Number(score) > now);
  }

  /**
   * Revokes every access token of a refresh family, here and in every process, until the last
   * of them has expired (awaits the write and the announcement).
   */
  async revokeFamily(familyId: string): Promise<void> {
    await this.revokeAccess(familyId, this.#now() + this.#accessTtlMs);
  }

  /** Revokes an access id (jti or family) until `until` (ms since the epoch). */
  async revokeAccess(accessId: string, until: number): Promise<void> {
    const what: Invalidation = { accessId, until };
    await this.#pub.zadd(this.#revokedKey, until, accessId);
    this.#evict(what);
    await this.#pub.publish(this.#channel, JSON.stringify(what));
  }

  async #loadRevoked(): Promise<void> {
    this.#revokedLoaded = false;
    const load = ++this.#loads;
    try {
      const now = this.#now();
      await this.#pub.zremrangebyscore(this.#revokedKey, "-inf", now);
      const flat = await this.#pub.zrange(this.#revokedKey, 0, -1, "WITHSCORES");
      for (let i = 0; i + 1 < flat.length; i += 2) {
        this.#revoked.set(flat[i] as string, Number(flat[i + 1]));
      }
      // An announcement that arrived meanwhile is in the map already; a reconnection meanwhile
      // started a later load, which decides.
      if (load === this.#loads) this.#revokedLoaded = true;
    } catch {
      // Redis is away: checks ask it directly until the next (re)connection loads the list.
    }
  }

  /** Whether the API key with this hash (hashApiKey) is cached as valid (its look-up will cost no query). */
  knowsKey(keyHash: string): boolean {
    const hit = this.#keys.get(keyHash);
    return hit !== undefined && this.#now() - hit.at < this.#ttlMs;
  }

  /**
   * The key's account (its entity in `em`'s unit of work) and scopes, or null for an unknown or
   * revoked key.
   * `keyHash`: the key's hashApiKey, when the caller has it already (one hash per request).
   */
  async apiKey(
    em: EntityManager,
    key: string,
    keyHash = hashApiKey(key),
  ): Promise<{ account: FoundAccount; scopes: string[] } | null> {
    const now = this.#now();
    const hit = this.#keys.get(keyHash);
    if (hit && now - hit.at < this.#ttlMs) {
      if (now - hit.touchedAt >= TOUCH_EVERY_MS) {
        hit.touchedAt = now;
        void touchKey(em, hit.keyId).catch(() => {});
      }
      return { account: attached(em, hit.account), scopes: hit.scopes };
    }
    const generation = this.#generation;
    const record = await em.findOne(ApiKey, { keyHash, revokedAt: null }, { populate: ["account"] });
    if (!record) {
      this.#keys.delete(keyHash);
      return null;
    }
    await touchKey(em, record.id);
    if (this.#cacheable(generation)) {
      this.#bound(this.#keys).set(keyHash, {
        keyId: record.id,
        account: snapshot(record.account),
        scopes: record.scopes,
        at: now,
        touchedAt: now,
      });
    }
    return { account: found(record.account), scopes: record.scopes };
  }

  /** An access token's account (its entity in `em`'s unit of work), or null if it no longer exists. */
  async account(em: EntityManager, accountId: string): Promise<FoundAccount | null> {
    const now = this.#now();
    const hit = this.#accounts.get(accountId);
    if (hit && now - hit.at < this.#ttlMs) return attached(em, hit.account);
    const generation = this.#generation;
    const account = await em.findOne(Account, accountId);
    if (account && this.#cacheable(generation))
      this.#bound(this.#accounts).set(accountId, { account: snapshot(account), at: now });
    return account && found(account);
  }

  /** Forgets a key or an account here and in every other process (awaits the publish). */
  async invalidate(what: Invalidation): Promise<void> {
    this.#evict(what);
    await this.#pub.publish(this.#channel, JSON.stringify(what));
  }

  /**
   * An ORM subscriber that invalidates every API key changed (revoked, deleted) by a flush of
   * this process, once the flush has committed.
   */
  revocationSubscriber(): EventSubscriber {
    return {
      afterFlush: async ({ uow }: FlushEventArgs) => {
        const hashes = new Set<string>();
        for (const cs of uow.getChangeSets()) {
          if (cs.type !== "update" && cs.type !== "delete") continue;
          if (cs.entity instanceof ApiKey) hashes.add(cs.entity.keyHash);
          if (cs.entity instanceof Account) await this.#tell({ accountId: cs.entity.id });
        }
        for (const keyHash of hashes) await this.#tell({ keyHash });
      },
    };
  }

  /**
   * invalidate(), for a change already committed: a failed publish must not fail the flush
   * that made it (the other processes then drop the entry within `ttlMs`, or on reconnect).
   */
  async #tell(what: Invalidation): Promise<void> {
    this.#evict(what);
    if (this.#closed) return;
    await this.#pub.publish(this.#channel, JSON.stringify(what)).catch(() => {});
  }

  clear(): void {
    this.#generation++;
    this.#keys.clear();
    this.#accounts.clear();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.clear();
    // The command connection is the factory's (closed with it); the subscriber is ours.
    await this.#sub.quit().catch(() => {});
  }

  #cacheable(generation: number): boolean {
    return generation === this.#generation && this.#listening && this.#sub.status === "ready";
  }

  #evict(what: Invalidation): void {
    if (what.accessId) {
      this.#revoked.set(what.accessId, Math.max(what.until ?? 0, this.#revoked.get(what.accessId) ?? 0));
      if (this.#revoked.size > MAX_ENTRIES) this.#forgetExpiredRevocations();
      for (const listener of this.#listeners) listener(what);
      return;
    }
    this.#generation++;
    for (const listener of this.#listeners) listener(what);
    if (what.keyHash) this.#keys.delete(what.keyHash);
    if (what.accountId) {
      this.#accounts.delete(what.accountId);
      for (const [hash, entry] of this.#keys)
        if (entry.account.id === what.accountId) this.#keys.delete(hash);
    }
    if (!what.keyHash && !what.accountId) this.clear();
  }

  #forgetExpiredRevocations(): void {
    const now = this.#now();
    for (const [id, until] of this.#revoked) if (until <= now) this.#revoked.delete(id);
  }

  #bound<V>(map: Map<string, V>): Map<string, V> {
    if (map.size >= MAX_ENTRIES) map.clear();
    return map;
  }
}

/** last_used_at, at most once a minute per key. */
async function touchKey(em: EntityManager, keyId: string): Promise<void> {
  await em
    .getConnection()
    .execute(
      "update api_keys set last_used_at = now() where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')",
      [keyId],
    );
}

function snapshot(a: Account): AccountData {
  return {
    id: a.id,
    name: a.name,
    email: a.email,
    passwordHash: a.passwordHash,
    role: a.role,
    createdAt: a.createdAt,
  } as AccountData;
}

/** A cached account: merged into this request's unit of work (no query) at its first use. */
function attached(em: EntityManager, data: AccountData): FoundAccount {
  let entity: Account | undefined;
  return {
    id: data.id,
    role: data.role,
    entity: () => {
      entity ??= em.merge(Account, { ...data }, { validate: false });
      return entity;
    },
  };
}

/** An account just read (already an entity of the request's unit of work). */
function found(account: Account): FoundAccount {
  return { id: account.id, role: account.role, entity: () => account };
}
