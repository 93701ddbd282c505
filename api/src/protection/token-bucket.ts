import type { Redis } from "ioredis";

/**
 * A token bucket per key, kept in Redis so every api process shares it: `capacity` tokens,
 * refilled at `ratePerSecond`; a request takes one (a batch of n tasks, n). Atomic in one Lua script (the refill and
 * the take cannot interleave with another process's). When empty, the answer says how long
 * until the next token.
 */
const SCRIPT = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local n = tonumber(ARGV[4]) or 1
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (math.max(0, now - at) / 1000) * rate)
local allowed = 0
local wait = 0
if tokens >= n then
  tokens = tokens - n
  allowed = 1
else
  wait = math.ceil((n - tokens) / rate * 1000)
end
redis.call('HSET', key, 'tokens', tokens, 'at', now)
redis.call('PEXPIRE', key, math.ceil(capacity / rate * 1000) + 1000)
return { allowed, wait, math.floor(tokens) }
`;

export interface BucketDecision {
  allowed: boolean;
  retryAfterMs: number;
  remaining: number;
}

type BucketRedis = Redis & {
  neurogridTakeToken(key: string, capacity: number, rate: number, now: number, n: number): Promise<unknown>;
};

export class TokenBucket {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly capacity: number,
    private readonly ratePerSecond: number,
  ) {
    if (!("neurogridTakeToken" in redis))
      redis.defineCommand("neurogridTakeToken", { numberOfKeys: 1, lua: SCRIPT });
  }

  /** Takes `n` tokens at once, or none (more than the capacity can never be taken). */
  async take(key: string, n = 1): Promise<BucketDecision> {
    // EVALSHA (ioredis falls back to EVAL once if Redis lacks the script): no script text per request.
    const [allowed, wait, remaining] = (await (this.redis as BucketRedis).neurogridTakeToken(
      `${this.prefix}:ratelimit:${key}`,
      this.capacity,
      this.ratePerSecond,
      Date.now(),
      n,
    )) as [number, number, number];
    return { allowed: allowed === 1, retryAfterMs: wait, remaining };
  }
}
