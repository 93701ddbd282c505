import { Queue, Worker } from "bullmq";
import type { RedisConnections } from "./redis-connections.js";

/**
 * A function run every `intervalMs` by a repeatable BullMQ job (one job id per repeat, so a
 * repeat is never queued twice), worked one at a time in this process. What must not overlap
 * across processes guards itself (the runners' advisory locks).
 */
export interface RepeatableJob {
  close(): Promise<void>;
}

export async function repeatEvery(
  connections: RedisConnections,
  name: string,
  intervalMs: number,
  work: () => Promise<void>,
  log: (msg: string, err?: unknown) => void,
): Promise<RepeatableJob> {
  const connection = connections.bullmq();
  const prefix = connections.bullPrefix;
  const queue = new Queue(name, { connection, prefix });
  await queue.upsertJobScheduler(`${name}-every`, { every: intervalMs }, { name: "run" });
  const worker = new Worker(name, work, { connection, prefix, concurrency: 1 });
  worker.on("error", (err) => log(`${name} worker`, err));
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
