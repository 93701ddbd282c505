/**
 * Test support for heads that restart: Redis table storage under a fresh key prefix (its keys
 * deleted by dropKeys), and restartHead, which kills a test cluster's head with SIGKILL and
 * starts a new one on the same port with the same arguments.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { killQuietly, type RunningProcess, startEntry } from "./processes.js";
import type { TestCluster } from "./test-cluster.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export interface RedisHeadStorage {
  /** --storage and --storage-prefix for the head. */
  args: string[];
  /** Deletes every key the heads wrote under the prefix. */
  dropKeys(): Promise<void>;
}

export function redisHeadStorage(label: string): RedisHeadStorage {
  const prefix = `neurogrid-test:${label}:${randomUUID()}:`;
  return {
    args: ["--storage", REDIS_URL, "--storage-prefix", prefix],
    async dropKeys() {
      const redis = new Redis(REDIS_URL);
      try {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  };
}

/**
 * Kills the cluster's head (SIGKILL) and starts another on its port, `downMs` after the kill
 * (an outage: its workers back off between registrations meanwhile); the caller stops it.
 */
export async function restartHead(
  cluster: TestCluster,
  headArgs: string[],
  downMs = 0,
): Promise<RunningProcess> {
  killQuietly(cluster.head.pid, "SIGKILL");
  await cluster.head.exited;
  if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
  const port = cluster.headAddress.slice(cluster.headAddress.lastIndexOf(":") + 1);
  const { proc } = await startEntry({
    name: "head (restarted)",
    entry: "head-main",
    args: ["--port", port, ...headArgs],
    ready: /^neurogrid head listening on /,
    timeoutMs: 30_000,
  });
  return proc;
}
