import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { testRedisUrl, uniquePrefix } from "../testing/test-database.js";

/**
 * bench:api's baseline: `jobs` trivial jobs through a BullMQ queue of their own on the bench's
 * Redis, added in bulk (addBulk of 500), taken by a worker in this process with `concurrency`;
 * jobs per second, from the first add to the last job done.
 */
export async function rawBullmqJobsPerS(jobs: number, concurrency: number): Promise<number> {
  const prefix = uniquePrefix("bench-bull");
  const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const queue = new Queue("trivial", { connection, prefix });
  let done = 0;
  let finished: () => void = () => {};
  const all = new Promise<void>((r) => {
    finished = r;
  });
  const worker = new Worker(
    "trivial",
    async () => {
      if (++done === jobs) finished();
    },
    {
      connection: new Redis(testRedisUrl(), { maxRetriesPerRequest: null }),
      prefix,
      concurrency,
    },
  );
  const t0 = performance.now();
  for (let i = 0; i < jobs; i += 500) {
    await queue.addBulk(Array.from({ length: 500 }, (_, j) => ({ name: "t", data: { i: i + j } })));
  }
  await all;
  const rate = jobs / ((performance.now() - t0) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return rate;
}
