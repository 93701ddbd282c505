/**
 * LocalRuns (local-start.ts) over fakes: which tasks start here, which are queued, and how each
 * local attempt's lease (task-leases.ts) is taken, renewed and released. No timers: renewals are
 * driven by hand (TaskLeases.renew) and every step awaits the write it expects.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { LocalRuns } from "./local-start.js";
import { TaskLeases } from "./task-leases.js";
import type { TaskJob } from "./task-queue.js";

/** The Redis writes the fakes saw, in order, and a way to wait for one. */
function writeLog() {
  const ops: string[] = [];
  const waiters: { op: string; resolve: () => void }[] = [];
  return {
    ops,
    push(op: string) {
      ops.push(op);
      for (const w of waiters.filter((x) => x.op === op)) w.resolve();
    },
    /** Resolves once `op` has been written (at once if it already was). */
    written(op: string): Promise<void> {
      if (ops.includes(op)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ op, resolve }));
    },
  };
}

function localRuns() {
  const log = writeLog();
  const finishers = new Map<string, (retry?: Error) => void>();
  let slots = 1;
  const queue = {
    leaseLocal: async (taskIds: readonly string[]) => log.push(`lease ${taskIds.join(",")}`),
    releaseLocal: async (...taskIds: string[]) => log.push(`release ${taskIds.join(",")}`),
    enqueue: async (job: TaskJob) =>
      log.push(`enqueue ${job.taskId}${job.startedLocally === true ? " local" : ""}`),
    enqueueMany: async (jobs: TaskJob[]) => log.push(`enqueue ${jobs.map((j) => j.taskId).join(",")}`),
  };
  const leases = new TaskLeases(queue, { leaseMs: 30_000, renewEveryMs: 0 });
  const runs = new LocalRuns(
    {
      meanSlotMs: undefined,
      canStart: () => slots > 0,
      canQueue: () => false,
      attempt: ({ taskId }) => {
        slots--;
        log.push(`attempt ${taskId}`);
        return new Promise((resolve) => {
          finishers.set(taskId, (retry) => {
            slots++;
            resolve(retry);
          });
        });
      },
    },
    queue,
    leases,
    { backlogMs: 0, concurrency: 1 },
  );
  const finish = (taskId: string, retry?: Error) => {
    const f = finishers.get(taskId);
    assert.ok(f, `${taskId} is not running`);
    f(retry);
  };
  return { log, runs, leases, finish };
}

test("LocalRuns: one free slot starts one task here, leased before its answer; the rest are queued", async () => {
  const { log, runs, leases, finish } = localRuns();
  const queued: string[][] = [];
  const started = await runs.startOrQueue(
    [
      { taskId: "t1", priority: 0, modelId: "m", input: { x: 1 } },
      { taskId: "t2", priority: 0, modelId: "m", input: { x: 2 } },
      { taskId: "t3", priority: 0, modelId: "m" },
    ],
    async (jobs) => {
      queued.push(jobs.map((j) => j.taskId));
    },
  );
  assert.equal(started, 1);
  assert.deepEqual(queued, [["t2", "t3"]], "one slot: t1 here; t3 has no input; the others queued");
  assert.deepEqual(log.ops, ["attempt t1", "lease t1"], "started, and leased before startOrQueue resolved");
  assert.equal(leases.size, 1);
  finish("t1");
  await log.written("release t1");
  assert.deepEqual(log.ops, ["attempt t1", "lease t1", "release t1"]);
  assert.equal(leases.size, 0, "nothing left to renew");
  await runs.close();
  leases.close();
});

test("LocalRuns: a live attempt's lease is renewed; a retry gets its job before the lease goes, and no renewal follows", async () => {
  const { log, runs, leases, finish } = localRuns();
  await runs.startOrQueue([{ taskId: "t4", priority: 0, modelId: "m", input: {} }], async () => {});
  await leases.renew();
  await leases.renew();
  assert.deepEqual(log.ops, ["attempt t4", "lease t4", "lease t4", "lease t4"], "taken, then renewed twice");
  finish("t4", new Error("replica went away"));
  await log.written("release t4");
  assert.deepEqual(log.ops.slice(-2), ["enqueue t4 local", "release t4"], "the job first, then the lease");
  const before = log.ops.length;
  await leases.renew();
  assert.equal(log.ops.length, before, "a released lease is not renewed");
  await runs.close();
  leases.close();
});

test("TaskLeases: takes and releases asked for in one tick go out as one write each, in order", async () => {
  const log = writeLog();
  const leases = new TaskLeases(
    {
      leaseLocal: async (ids, untilMs) => log.push(`lease ${ids.join(",")} until ${untilMs}`),
      releaseLocal: async (...ids) => log.push(`release ${ids.join(",")}`),
    },
    { leaseMs: 500, renewEveryMs: 0, now: () => 1000 },
  );
  const a = leases.take(["a"]);
  const b = leases.take(["b", "c"]);
  const held = leases.hold("d");
  held.release();
  await Promise.all([a, b]);
  await log.written("release d");
  assert.deepEqual(log.ops, ["lease a,b,c,d until 1500", "release d"]);
  await leases.release(["b"]);
  await leases.renew();
  assert.deepEqual(
    log.ops.slice(2),
    ["release b", "lease a,c until 1500"],
    "renewal: every held lease, one write",
  );
  leases.close();
});
