import type { Redis } from "ioredis";

/**
 * A token bucket per key, kept in Redis so every api process shares it: `capacity` tokens,
 * refilled at `ratePerSecond`; a request takes one (a batch of n tasks, n). Atomic in one Lua
 * script (the refill and the take cannot interleave with another process's). When empty, the
 * answer says how long until the next token.
 *
 * Local leases (so that most requests need no Redis round trip): a take that goes to Redis also
 * asks for up to `leaseChunk` extra tokens (capacity / 10, at most 100; none for buckets under
 * 10), which this process then spends on the key's next requests for up to LEASE_TTL_MS.
 * Leased tokens are taken from the shared bucket, so the limit is never exceeded across
 * processes; a lease that expires unspent is lost (the bucket refills as usual), which can only
 * refuse a little early, never admit too much.
 */
const SCRIPT = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local n = tonumber(ARGV[4]) or 1
local extra = tonumber(ARGV[5]) or 0
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (math.max(0, now - at) / 1000) * rate)
local allowed = 0
local wait = 0
local leased = 0
if tokens >= n then
  leased = math.min(extra, math.floor(tokens - n))
  tokens = tokens - n - leased
  allowed = 1
else
  wait = math.ceil((n - tokens) / rate * 1000)
end
redis.call('HSET', key, 'tokens', tokens, 'at', now)
redis.call('PEXPIRE', key, math.ceil(capacity / rate * 1000) + 1000)
return { allowed, wait, math.floor(tokens), leased }
`;

export interface BucketDecision {
  allowed: boolean;
  retryAfterMs: number;
  remaining: number;
}

type BucketRedis = Redis & {
  neurogridTakeTokens(
    key: string,
    capacity: number,
    rate: number,
    now: number,
    n: number,
    extra: number,
  ): Promise<unknown>;
};

/** How long a process may spend tokens it leased from the shared bucket. */
const LEASE_TTL_MS = 1_000;

export class TokenBucket {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #capacity: number;
  readonly #ratePerSecond: number;

  constructor(redis: Redis, prefix: string, capacity: number, ratePerSecond: number) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#capacity = capacity;
    this.#ratePerSecond = ratePerSecond;
    if (!("neurogridTakeTokens" in redis))
      redis.defineCommand("neurogridTakeTokens", { numberOfKeys: 1, lua: SCRIPT });
    this.#leaseChunk = capacity < 10 ? 0 : Math.min(100, Math.floor(capacity / 10));
  }

  readonly #leaseChunk: number;
  readonly #leases = new Map<string, { tokens: number; expires: number; remaining: number }>();

  /** Takes `n` tokens at once, or none (more than the capacity can never be taken). */
  async take(key: string, n = 1): Promise<BucketDecision> {
    const now = Date.now();
    const held = this.#leases.get(key);
    const lease = held && held.expires > now ? held : undefined;
    const fromLease = Math.min(lease?.tokens ?? 0, n);
    if (lease && fromLease === n) {
      lease.tokens -= n;
      return { allowed: true, retryAfterMs: 0, remaining: lease.remaining + lease.tokens };
    }
    // The rest from Redis (EVALSHA: no script text per request), with a new lease on top. If
    // Redis refuses, the leased tokens are not spent: the lease stays as it was.
    const [allowed, wait, remaining, leased] = (await (this.#redis as BucketRedis).neurogridTakeTokens(
      `${this.#prefix}:ratelimit:${key}`,
      this.#capacity,
      this.#ratePerSecond,
      now,
      n - fromLease,
      this.#leaseChunk,
    )) as [number, number, number, number];
    if (allowed !== 1)
      return { allowed: false, retryAfterMs: wait, remaining: remaining + (lease?.tokens ?? 0) };
    const tokens = (lease?.tokens ?? 0) - fromLease + leased;
    if (tokens > 0) this.#leases.set(key, { tokens, expires: now + LEASE_TTL_MS, remaining });
    else this.#leases.delete(key);
    if (this.#leases.size > 10_000) this.#forgetExpired(now);
    return { allowed: true, retryAfterMs: 0, remaining: remaining + tokens };
  }

  #forgetExpired(now: number): void {
    for (const [key, lease] of this.#leases) if (lease.expires <= now) this.#leases.delete(key);
  }
}
