/**
 * Subscriptions survive a Redis restart: a task's listener, made before Redis was stopped and
 * started again empty (a Redis of the test's own, redis-server on a free port, keeping nothing),
 * hears an event that another api process publishes afterwards. The subscriber connection
 * re-subscribes its channels when it reconnects (ioredis autoResubscribe), so taskProgress
 * streams that were open across the restart go on.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { TaskStatus } from "@neurogrid/schema";
import { type OwnRedis, startOwnRedis } from "../faults/own-redis.js";
import { createRedisConnections, type RedisConnections } from "../infra/redis-connections.js";
import { TaskEventBus, type TaskProgressEvent } from "./task-events.js";

/** A bound, not a timing claim: ioredis reconnects within a second or two. */
const HEAR_WITHIN_MS = 20_000;

let redis: OwnRedis;
const connections: RedisConnections[] = [];
const buses: TaskEventBus[] = [];

function bus(): TaskEventBus {
  const c = createRedisConnections({ redisUrl: redis.url, redisPrefix: "restart-test" });
  connections.push(c);
  const b = new TaskEventBus(c);
  buses.push(b);
  return b;
}

before(async () => {
  redis = await startOwnRedis();
});

after(async () => {
  for (const b of buses) await b.close();
  for (const c of connections) await c.close();
  await redis?.stop();
});

test("a listener made before a Redis restart hears what another process publishes after it", async () => {
  const listening = bus();
  const publishing = bus();
  const taskId = randomUUID();
  const heard: TaskProgressEvent[] = [];
  let resolveHeard: () => void = () => {};
  const completed = new Promise<void>((resolve) => {
    resolveHeard = resolve;
  });
  const stop = await listening.listen(taskId, (event) => {
    heard.push(event);
    if (event.status === TaskStatus.COMPLETED) resolveHeard();
  });
  try {
    await publishing.publish({ taskId, status: TaskStatus.RUNNING, at: new Date().toISOString() });
    await redis.restart();
    // Published until heard: the publisher's own connection comes back on its own schedule.
    const at = new Date().toISOString();
    let sent = 0;
    const timer = setInterval(() => {
      sent += 1;
      void publishing.publish({ taskId, status: TaskStatus.COMPLETED, at }).catch(() => {});
    }, 100);
    let bound: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        completed,
        new Promise((_, reject) => {
          bound = setTimeout(
            () => reject(new Error(`nothing heard after the restart (${sent} sent)`)),
            HEAR_WITHIN_MS,
          );
        }),
      ]);
    } finally {
      clearInterval(timer);
      clearTimeout(bound);
    }
    assert.deepEqual(
      heard.map((e) => e.status).filter((s, i, all) => all.indexOf(s) === i),
      [TaskStatus.RUNNING, TaskStatus.COMPLETED],
    );
    assert.ok(sent >= 1);
  } finally {
    stop();
  }
});
