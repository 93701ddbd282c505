import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";

/**
 * Redis for `neurogrid up` without REDIS_URL: 127.0.0.1:6379 if a Redis answers there, else a
 * `redis-server` from PATH started in <dataDir>/redis, else an error that says how to get one.
 */
export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

/** How long a probe waits for a Redis to accept its connection. */
const PROBE_TIMEOUT_MS = 500;
/** A started redis-server is probed this often, this many times (5 s in all), before giving up. */
const START_POLL_MS = 100;
const START_POLLS = 50;

export async function findOrStartRedis(dataDir: string, port: number): Promise<LocalRedis> {
  const standard = "redis://127.0.0.1:6379";
  if (await answers(standard)) return { url: standard, stop: async () => {} };
  const own = `redis://127.0.0.1:${port}`;
  if (await answers(own)) return { url: own, stop: async () => {} };
  const dir = join(dataDir, "redis");
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "60 1", "--appendonly", "no"],
    // Its own process group: a terminal's Ctrl-C reaches `up`, which stops Redis after its users.
    { stdio: "ignore", detached: true },
  );
  const spawned = await new Promise<boolean>((resolve) => {
    child.once("error", () => resolve(false));
    child.once("spawn", () => resolve(true));
  });
  if (!spawned) {
    throw new Error(
      "NeuroGrid needs Redis: none answers on 127.0.0.1:6379 and `redis-server` is not on PATH. " +
        "Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.",
    );
  }
  for (let i = 0; i < START_POLLS; i++) {
    if (await answers(own)) {
      return {
        url: own,
        stop: async () => {
          child.kill("SIGTERM");
        },
      };
    }
    await new Promise((r) => setTimeout(r, START_POLL_MS));
  }
  child.kill("SIGKILL");
  throw new Error(`redis-server did not answer on port ${port}`);
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
