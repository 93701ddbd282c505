/**
 * Test support: a real Dispatcher (real PostgreSQL, Redis, BullMQ) over a fake model deployment
 * whose replica for tasks lives on `nodeId`: the test writes the deployment's `call`; lease gives
 * that replica, leaseWhere any of it and the `otherNodes`' replicas (result verification's check
 * runs), and a stream is refused (the fake is not a generative model). close() stops the
 * dispatcher, the queue, the event bus and the Redis connections.
 */
import type { MikroORM } from "@mikro-orm/postgresql";
import { type ActorInfo, actorId, nodeId } from "@neurogrid/schema";
import { createRedisConnections } from "../infra/redis-connections.js";
import { Dispatcher } from "../tasks/dispatcher.js";
import type { ModelDeployment } from "../tasks/model-deployments.js";
import { processRunner } from "../tasks/process-runner.js";
import { TaskEventBus } from "../tasks/task-events.js";
import { TaskLeases } from "../tasks/task-leases.js";
import { TaskQueue } from "../tasks/task-queue.js";
import { PgTaskStore } from "../tasks/task-store.js";
import { testRedisUrl, uniquePrefix } from "./test-database.js";

export interface FakeDeploymentDispatcher {
  dispatcher: Dispatcher;
  /** The task store the dispatcher's runner writes through (submits hold through it too). */
  store: PgTaskStore;
  queue: TaskQueue;
  events: TaskEventBus;
  replica: ActorInfo;
  /** The Redis key prefix of this dispatcher's queue and events. */
  prefix: string;
  close(): Promise<void>;
}

export function fakeDeploymentDispatcher(
  orm: MikroORM,
  opts: {
    label: string;
    nodeId: string;
    taskTimeoutMs: number;
    call: ModelDeployment["call"];
    /** Default 1. */
    concurrency?: number;
    /** Default 30 s. */
    jobLockMs?: number;
    /** Default 100 ms, as the api's. */
    startWriteDelayMs?: number;
    /** Default 5000 ms, as the api's. */
    localBacklogMs?: number;
    /** Another dispatcher's prefix: the same queue and events (default: a new prefix). */
    prefix?: string;
    /** Nodes with a replica of their own that only leaseWhere gives (default none). */
    otherNodes?: string[];
    /** The share of completed tasks spot-checked (default 0: none), drawn with `random`. */
    verificationSampleRate?: number;
    random?: () => number;
  },
): FakeDeploymentDispatcher {
  const prefix = opts.prefix ?? uniquePrefix(opts.label);
  const redis = createRedisConnections({ redisUrl: testRedisUrl(), redisPrefix: prefix });
  const queue = new TaskQueue({ connection: redis.bullmq(), prefix: redis.bullPrefix, attempts: 3 });
  const events = new TaskEventBus(redis);
  const replica = {
    actorId: "a1",
    name: "model:mlp-classifier@1#0",
    namespace: "n",
    nodeId: opts.nodeId,
    address: "127.0.0.1:1",
    state: "ALIVE",
  } as ActorInfo;
  const replicas = [
    replica,
    ...(opts.otherNodes ?? []).map((node, i) => ({
      ...replica,
      actorId: actorId(`a${i + 2}`),
      nodeId: nodeId(node),
    })),
  ];
  const deployment: ModelDeployment = {
    lease: async () => ({ replica, release: () => {} }),
    leaseWhere: async (accept) => {
      for (const r of replicas) if (await accept(r)) return { replica: r, release: () => {} };
      return undefined;
    },
    call: opts.call,
    stream: () => {
      throw new Error("not a generative model");
    },
  };
  const store = new PgTaskStore(orm.em);
  const runner = processRunner(
    { orm, store, deployments: { handle: async () => deployment }, events },
    {
      platformFeeBps: 1000,
      taskTimeoutMs: opts.taskTimeoutMs,
      startWriteDelayMs: opts.startWriteDelayMs ?? 100,
      maxResultChars: 1_000_000,
      verificationSampleRate: opts.verificationSampleRate ?? 0,
      verificationWindowMs: 600_000,
      verificationPenaltyFactor: 1,
      ...(opts.random ? { random: opts.random } : {}),
    },
  );
  const jobLockMs = opts.jobLockMs ?? 30_000;
  const leases = new TaskLeases(queue, { leaseMs: jobLockMs });
  const dispatcher = new Dispatcher({
    orm,
    runner,
    events,
    queue,
    leases,
    connection: redis.bullmq(),
    prefix: redis.bullPrefix,
    concurrency: opts.concurrency ?? 1,
    jobLockMs,
    localBacklogMs: opts.localBacklogMs ?? 5000,
  });
  return {
    dispatcher,
    store,
    queue,
    events,
    replica,
    prefix,
    async close() {
      await dispatcher.close();
      leases.close();
      await queue.close();
      await events.close();
      await redis.close();
    },
  };
}
