/**
 * Test support: a suite's cluster whose head keeps its tables in Redis (head-restart.ts), started
 * before the suite's tests and, after them, stopped with the head that replaced it and the
 * actor processes it was told about, its Redis keys deleted. Call it inside `describe`.
 */
import { after, before } from "node:test";
import { ClusterClient } from "../../index.js";
import { redisHeadStorage, restartHead } from "./head-restart.js";
import type { RunningProcess } from "./processes.js";
import { startTestCluster, type TestCluster } from "./test-cluster.js";

export interface RestartableClusterOptions {
  /** Head flags besides its storage. */
  headArgs: string[];
  /** Worker node ids and each one's extra flags. */
  workers: Record<string, string[]>;
  /** Runs first after the tests (e.g. to track the actors left). */
  beforeStop?: (suite: RestartableCluster) => Promise<void>;
}

export interface RestartableCluster {
  readonly cluster: TestCluster;
  readonly client: ClusterClient;
  /** The head started by restartHead, once there is one. */
  readonly head: RunningProcess | undefined;
  /** Kills the head and starts another on its port and tables, `downMs` after the kill. */
  restartHead(downMs?: number): Promise<RunningProcess>;
}

export function restartableCluster(label: string, options: RestartableClusterOptions): RestartableCluster {
  const storage = redisHeadStorage(label);
  const headArgs = [...storage.args, ...options.headArgs];
  let cluster: TestCluster | undefined;
  let client: ClusterClient | undefined;
  let restarted: RunningProcess | undefined;
  const suite: RestartableCluster = {
    get cluster() {
      return cluster ?? fail("the cluster");
    },
    get client() {
      return client ?? fail("the client");
    },
    get head() {
      return restarted;
    },
    async restartHead(downMs = 0) {
      await restarted?.stop();
      restarted = await restartHead(suite.cluster, headArgs, downMs);
      return restarted;
    },
  };
  before(async () => {
    cluster = await startTestCluster({ headArgs, workers: options.workers });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 30_000 });
  });
  after(async () => {
    if (client && cluster) await options.beforeStop?.(suite);
    client?.close();
    await restarted?.stop();
    await cluster?.stop();
    await storage.dropKeys();
  });
  return suite;
}

function fail(what: string): never {
  throw new Error(`${what} is not started yet (before() has not run)`);
}
