/**
 * The dispatcher's early call (dispatcher.ts run()): a job that carries its task's input has its
 * call sent while the start statement is in flight. A task that the start finds final (here:
 * cancelled after its job was queued, before the dispatcher took it) has that call aborted and
 * dropped: no state after CANCELLED, no capture, only the refund. A task that starts completes
 * as before: charged once, SCHEDULED, RUNNING and COMPLETED announced in order. Real PostgreSQL,
 * Redis and BullMQ; the cluster is a fake deployment.
 */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { ClusterError, type DeploymentCallOptions } from "@neurogrid/cluster";
import { TaskStatus } from "@neurogrid/schema";
import { Redis } from "ioredis";
import { Account, LedgerTransaction, LedgerTxKind, Task } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { seedFixture } from "../e2e/fixture.js";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { announcedSoFar, finishedTask, MLP_OUTPUTS, until } from "../testing/dispatcher-fixture.js";
import { fakeDeploymentDispatcher } from "../testing/fake-deployment-dispatcher.js";
import { createTestDatabase, type TestDatabase, testRedisUrl } from "../testing/test-database.js";
import { submitTask } from "./submit-task.js";

let db: TestDatabase;
let orm: MikroORM;

before(async () => {
  db = await createTestDatabase();
  orm = await openOrm(db.url);
  await migrate(orm);
});
after(async () => {
  await orm?.close();
  await db?.drop();
});

const features = { features: [Array.from({ length: 16 }, () => 1)] };

const finished = (taskId: string) => finishedTask(orm, taskId);

/** Resolves when the signal aborts (never, without one). */
const aborted = (signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));

test("an early call is dropped when the start finds its task cancelled; a started one completes once", async () => {
  const fx = await seedFixture(orm, ["early-node"], 10_000_000_000n);
  // The first task's call waits for `release`, so that the next job waits in the queue.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  const calls: { taskId: string; signal: AbortSignal | undefined; answered: boolean }[] = [];
  // The cancelled task's call answers only if it is not aborted first, and it waits for that.
  let cancelledId = "";
  const { dispatcher, queue, events, store, close, prefix, replica } = fakeDeploymentDispatcher(orm, {
    label: "early",
    nodeId: "early-node",
    taskTimeoutMs: 10_000,
    call: async <T>(_method: string, _args: unknown, opts: DeploymentCallOptions = {}) => {
      const call = { taskId: opts.traceId ?? "", signal: opts.signal, answered: false };
      calls.push(call);
      await opts.onReplica?.(replica);
      if (calls.length === 1) await held;
      if (call.taskId === cancelledId) await aborted(opts.signal);
      if (opts.signal?.aborted) throw new ClusterError("CANCELLED", "call cancelled by the caller");
      call.answered = true;
      return { outputs: MLP_OUTPUTS, executionProvider: "cpu", inferenceMs: 1 } as T;
    },
  });
  try {
    await dispatcher.start();
    const em = orm.em.fork();
    const account = await em.findOneOrFail(Account, fx.clientId);
    const submit = () =>
      submitTask(orm.em.fork(), { queue, store }, account.id, { model: "mlp-classifier", input: features });
    // First task: the model's deployment is not at hand yet (no early call); it holds the
    // dispatcher (concurrency 1) until released.
    const first = await submit();
    await until("the first call", () => (calls.length > 0 ? true : undefined));
    assert.equal(calls.length, 1);
    // Second task: cancelled (committed, refunded) while its job still waits.
    const cancelled = await submit();
    cancelledId = cancelled.id;
    const heard: string[] = [];
    const stop = await events.listen(cancelled.id, (e) => heard.push(e.status));
    const ref = { id: cancelled.id, accountId: account.id, maxPrice: cancelled.maxPrice };
    assert.ok(await store.refund({ task: ref, status: TaskStatus.CANCELLED, error: "cancelled by test" }));
    release();
    assert.equal((await finished(first.id)).status, "COMPLETED");
    // The job is taken; its early call goes out and is aborted once the start finds nothing.
    await until("the cancelled task's job to end", async () => {
      const state = await queue.queue.getJobState(cancelled.id);
      return state === "completed" || state === "failed" ? true : undefined;
    });
    const early = calls.find((c) => c.taskId === cancelled.id);
    assert.ok(early, "the cancelled task's job carried its input: an early call was sent");
    assert.equal(early.signal?.aborted, true, "and aborted");
    assert.equal(early.answered, false);
    stop();
    assert.deepEqual(heard, [], "nothing announced after the cancellation");
    const after = await orm.em.fork().findOneOrFail(Task, cancelled.id);
    assert.equal(after.status, "CANCELLED");
    assert.equal(
      await orm.em.fork().count(LedgerTransaction, { taskId: cancelled.id, kind: LedgerTxKind.CAPTURE }),
      0,
      "no capture",
    );

    // Third task: an early call on a task that starts: completed and charged once. Its events
    // are heard from before its submission (every task channel of this prefix).
    const heardAll: { taskId: string; status: string }[] = [];
    const sub = new Redis(testRedisUrl());
    sub.on("pmessage", (_p, _c, message: string) => heardAll.push(...[JSON.parse(message)].flat()));
    await sub.psubscribe(`${prefix}:task-events:*`);
    const third = await submit();
    const done = await finished(third.id);
    await announcedSoFar(events, heardAll);
    sub.disconnect();
    const states = heardAll.filter((e) => e.taskId === third.id).map((e) => e.status);
    assert.equal(done.status, "COMPLETED");
    assert.deepEqual(
      calls.filter((c) => c.taskId === third.id).map((c) => c.answered),
      [true],
      "one call, sent early and answered",
    );
    assert.deepEqual(
      states.filter((s) => s !== "QUEUED"),
      ["SCHEDULED", "RUNNING", "COMPLETED"],
    );
    assert.equal(
      await orm.em.fork().count(LedgerTransaction, { taskId: third.id, kind: LedgerTxKind.CAPTURE }),
      1,
    );
    assert.equal((await balancesOf(orm.em.fork(), fx.clientId)).held, 0n);
    assert.equal((await checkLedger(orm.em.fork())).ok, true);
  } finally {
    await close();
  }
});
