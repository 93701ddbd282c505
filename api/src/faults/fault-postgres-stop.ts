import { setTimeout as sleep } from "node:timers/promises";
import type { Fault } from "./fault-context.js";

/** How long PostgreSQL stays away. */
const POSTGRES_DOWN_MS = 5000;

/** The run's own PostgreSQL stopped (fast shutdown) for POSTGRES_DOWN_MS and started again. */
export const postgresStop: Fault = async (ctx) => {
  const down = Date.now();
  await ctx.postgres.stop();
  ctx.log(`faults: PostgreSQL stopped for ${POSTGRES_DOWN_MS} ms`);
  await sleep(POSTGRES_DOWN_MS);
  await ctx.postgres.start();
  return { target: "postgres", downMs: Date.now() - down };
};
