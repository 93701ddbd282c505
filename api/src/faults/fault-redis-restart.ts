import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import type { Fault } from "./fault-context.js";

/** How long the rate limiter has to write its buckets into the restarted Redis. */
const LIMITS_BACK_WITHIN_MS = 15_000;
const POLL_MS = 100;

/**
 * The run's own Redis stopped and started again, empty (it keeps nothing on disk): queued jobs,
 * leases, rate-limit counters and the head's tables are gone; the recovery sweep must find the
 * tasks whose job was lost. Over once the rate limits are back: the api's token buckets
 * (protection/token-bucket.ts) are written into the new Redis by the submissions that keep
 * coming, so the limiter neither fails every request nor lets them all through unmetered.
 */
export const redisRestart: Fault = async (ctx) => {
  const down = Date.now();
  await ctx.redis.restart();
  const downMs = Date.now() - down;
  ctx.log(`faults: Redis restarted (empty) in ${downMs} ms`);
  const back = await rateLimitsBack(ctx.redis.url);
  return { target: "redis", downMs, detail: `rate-limit buckets back ${back - down} ms after the stop` };
};

async function rateLimitsBack(url: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const deadline = Date.now() + LIMITS_BACK_WITHIN_MS;
    while (Date.now() < deadline) {
      // The run's own Redis, small: KEYS is fine here.
      if ((await redis.keys("*:ratelimit:*")).length > 0) return Date.now();
      await sleep(POLL_MS);
    }
    throw new Error(`no rate-limit bucket in the restarted Redis within ${LIMITS_BACK_WITHIN_MS} ms`);
  } finally {
    redis.disconnect();
  }
}
