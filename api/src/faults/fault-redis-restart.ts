import type { Fault } from "./fault-context.js";

/**
 * The run's own Redis stopped and started again, empty (it keeps nothing on disk): queued jobs,
 * leases, rate-limit counters and the head's tables are gone; the recovery sweep must find the
 * tasks whose job was lost.
 */
export const redisRestart: Fault = async (ctx) => {
  const down = Date.now();
  await ctx.redis.restart();
  const downMs = Date.now() - down;
  ctx.log(`faults: Redis restarted (empty) in ${downMs} ms`);
  return { target: "redis", downMs };
};
