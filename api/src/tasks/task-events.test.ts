/**
 * The task event bus over real Redis: events published by one process reach the listeners of
 * another (as two api processes behind a load balancer), several of one task in one message,
 * in order; this process's own listeners get each event once (at publish, the Redis copy
 * dropped).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { TaskStatus } from "@neurogrid/schema";
import { createRedisConnections } from "../infra/redis-connections.js";
import { testRedisUrl, uniquePrefix } from "../testing/test-database.js";
import { startedEvents, TaskEventBus, type TaskProgressEvent } from "./task-events.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("publishAll: another process hears every event in order; this one hears each once", async () => {
  const redisPrefix = uniquePrefix("events");
  const redisHere = createRedisConnections({ redisUrl: testRedisUrl(), redisPrefix });
  const redisThere = createRedisConnections({ redisUrl: testRedisUrl(), redisPrefix });
  const here = new TaskEventBus(redisHere);
  const there = new TaskEventBus(redisThere);
  try {
    const heardHere: TaskProgressEvent[] = [];
    const heardThere: TaskProgressEvent[] = [];
    const stops = [
      await here.listen("t1", (e) => heardHere.push(e)),
      await there.listen("t1", (e) => heardThere.push(e)),
      await there.listen("t2", (e) => heardThere.push(e)),
    ];
    const at = new Date();
    const final = { taskId: "t1", status: TaskStatus.COMPLETED, at: at.toISOString() };
    await here.publishAll([...startedEvents("t1", at), final, ...startedEvents("t2", at)]);
    await here.publish({ taskId: "t2", status: TaskStatus.FAILED, at: at.toISOString(), message: "boom" });
    // A marker from the other process: Redis delivers it to this process's subscriber after the
    // copies of everything published here before it, so any duplicate has come by then.
    await there.publish({ taskId: "t1", status: TaskStatus.QUEUED, at: at.toISOString(), message: "marker" });
    const marked = (events: TaskProgressEvent[]) => events.some((e) => e.message === "marker");
    for (let i = 0; i < 500 && !(marked(heardHere) && heardThere.length >= 7); i++) await sleep(20);
    assert.ok(marked(heardHere), "the marker reached this process");
    const statuses = (events: TaskProgressEvent[], id: string) =>
      events.filter((e) => e.taskId === id && e.message !== "marker").map((e) => e.status);
    assert.deepEqual(statuses(heardThere, "t1"), ["SCHEDULED", "RUNNING", "COMPLETED"]);
    assert.deepEqual(statuses(heardThere, "t2"), ["SCHEDULED", "RUNNING", "FAILED"]);
    assert.equal(heardThere.find((e) => e.status === "FAILED")?.message, "boom");
    assert.deepEqual(statuses(heardHere, "t1"), ["SCHEDULED", "RUNNING", "COMPLETED"], "once each");
    for (const stop of stops) stop();
  } finally {
    await Promise.all([here.close(), there.close()]);
    await Promise.all([redisHere.close(), redisThere.close()]);
  }
});
