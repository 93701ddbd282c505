/**
 * Local start (local-start.ts): a task accepted by a process whose dispatcher has a free slot
 * and the model's deployment at hand starts there at once, under a lease instead of a job.
 * Real PostgreSQL, Redis and BullMQ; the cluster is a fake deployment. A lease left by a dead
 * process is taken up by the sweep (tested here with a lease nobody renews); the chaos run
 * kills an api that dispatches, in flight.
 */

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { ClusterError, type DeploymentCallOptions } from "@neurogrid/cluster";
import { Account, LedgerTransaction, LedgerTxKind, Model, Task } from "../db/entities/index.js";
import { balancesOf, clientAccounts } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { FEATURES, finishedTask, MLP_OUTPUTS, seededDatabase, until } from "../testing/dispatcher-fixture.js";
import { fakeDeploymentDispatcher } from "../testing/fake-deployment-dispatcher.js";
import type { ModelDeployment } from "./model-deployments.js";
import { submitTask } from "./submit-task.js";
import { submitTasks } from "./submit-tasks.js";

const db = seededDatabase(["local-node", "retry-node"]);
const finished = (taskId: string) => finishedTask(db.orm(), taskId);

/** mlp-classifier's price per call. */
const PRICE = 1_000_000n;

async function captures(taskId: string): Promise<number> {
  return db.orm().em.fork().count(LedgerTransaction, { taskId, kind: LedgerTxKind.CAPTURE });
}

/** A dispatcher over a fake deployment whose replica answers with `call`; submits as the client. */
async function localDispatcher(label: string, nodeId: string, call: ModelDeployment["call"]) {
  const d = fakeDeploymentDispatcher(db.orm(), {
    label,
    nodeId,
    taskTimeoutMs: 10_000,
    concurrency: 4,
    call,
  });
  const account = await db.orm().em.fork().findOneOrFail(Account, db.fx().clientId);
  const deps = { queue: d.queue, store: d.store, local: d.dispatcher.local };
  const submit = () =>
    submitTask(db.orm().em.fork(), deps, account.id, { model: "mlp-classifier", input: FEATURES });
  // BullMQ completes a job once its processor has returned: after the task's capture.
  const completedJob = (taskId: string) =>
    until(`the job of ${taskId} completed`, async () => {
      const job = await d.queue.queue.getJob(taskId);
      return (await job?.getState()) === "completed" ? job : undefined;
    });
  return { ...d, account, deps, submit, completedJob };
}

test("a task starts where it was accepted, once held, under a lease instead of a job; a paused queue holds it", async () => {
  const calls: { taskId: string; signal: AbortSignal | undefined }[] = [];
  let gate: Promise<void> | undefined;
  const { dispatcher, queue, close, account, deps, submit, completedJob } = await localDispatcher(
    "local",
    "local-node",
    async <T>(_method: string, _args: unknown, opts: DeploymentCallOptions = {}) => {
      calls.push({ taskId: opts.traceId ?? "", signal: opts.signal });
      await gate;
      if (opts.signal?.aborted) throw new ClusterError("CANCELLED", "call cancelled by the caller");
      return { outputs: MLP_OUTPUTS, executionProvider: "cpu", inferenceMs: 1 } as T;
    },
  );
  const callsOf = (taskId: string) => calls.filter((c) => c.taskId === taskId);
  try {
    await dispatcher.start();

    // The model's first task in this process: no deployment at hand yet, so through the queue.
    const first = await submit();
    assert.equal((await finished(first.id)).status, "COMPLETED");
    await completedJob(first.id);

    // The next: held (QUEUED), then started here at once, under this process's lease and with no
    // job; its call goes out only after its hold committed. The call is held open to look.
    let open: () => void = () => {};
    gate = new Promise((r) => {
      open = r;
    });
    const once = { model: "mlp-classifier", input: FEATURES, idempotencyKey: "local-once" };
    const second = await submitTask(db.orm().em.fork(), deps, account.id, once);
    assert.equal(second.status, "QUEUED", "the hold wrote it QUEUED");
    await until("its call", () => (callsOf(second.id).length === 1 ? true : undefined));
    assert.deepEqual([...(await queue.leasedLocally([second.id]))], [second.id], "leased here");
    assert.equal(await queue.queue.getJob(second.id), undefined, "no job");
    // The same submit again (a client's retry): the same task, and no job that would run it twice.
    const again = await submitTask(db.orm().em.fork(), deps, account.id, once);
    assert.equal(again.id, second.id);
    assert.equal(await queue.queue.getJob(second.id), undefined, "still no job: its lease is live");
    open();
    gate = undefined;
    // ...and the lease goes once the task is final.
    const done = await finished(second.id);
    assert.equal(done.status, "COMPLETED");
    assert.equal(done.attempts, 1);
    await until("the lease released", async () =>
      (await queue.leasedLocally([second.id])).size === 0 ? true : undefined,
    );
    assert.equal(await queue.queue.getJob(second.id), undefined, "no queue attempt ran it");
    assert.equal(callsOf(second.id).length, 1, "one call");
    assert.equal(await captures(second.id), 1, "charged once");

    // A batch (submitTasks): started here by the dispatcher's start statement, leases released.
    const batch = await submitTasks(db.orm().em.fork(), deps, account.id, [
      { model: "mlp-classifier", input: FEATURES },
      { model: "mlp-classifier", input: FEATURES },
    ]);
    for (const task of batch) {
      const ended = await finished(task.id);
      assert.equal(ended.status, "COMPLETED");
      assert.equal(ended.attempts, 1);
      assert.equal(await queue.queue.getJob(task.id), undefined, "no job");
      await until("its lease released", async () =>
        (await queue.leasedLocally([task.id])).size === 0 ? true : undefined,
      );
    }

    // A hold that fails (no funds): no provider is asked to compute; nothing stored or charged.
    const poor = await db.orm().em.fork().findOneOrFail(Account, { name: "client-poor" });
    const tasksBefore = await db.orm().em.fork().count(Task, {});
    const callsBefore = calls.length;
    await assert.rejects(
      submitTask(db.orm().em.fork(), deps, poor.id, { model: "mlp-classifier", input: FEATURES }),
      (err: { code?: string }) => err.code === "INSUFFICIENT_FUNDS",
    );
    assert.equal(calls.length, callsBefore, "no call for a task whose price is not held");
    assert.equal(await db.orm().em.fork().count(Task, {}), tasksBefore, "no task written");

    // A paused queue holds local starts too.
    await queue.queue.pause();
    const modelId = (await db.orm().em.fork().findOneOrFail(Model, { name: "mlp-classifier" })).id;
    await until("the dispatcher to see the pause", () => (dispatcher.canQueue(modelId) ? undefined : true));
    const held = await submit();
    // It was given a job (a local start takes a lease, never a job), which the paused queue keeps.
    const state = await queue.queue.getJobState(held.id);
    assert.ok(["waiting", "prioritized", "paused"].includes(state), `job ${state}`);
    assert.equal((await db.orm().em.fork().findOneOrFail(Task, held.id)).status, "QUEUED");
    assert.equal(callsOf(held.id).length, 0, "not started while the queue is paused");
    await queue.queue.resume();
    assert.equal((await finished(held.id)).status, "COMPLETED");
    assert.equal((await balancesOf(db.orm().em.fork(), db.fx().clientId)).held, 0n);
    assert.equal((await checkLedger(db.orm().em.fork())).ok, true);
  } finally {
    await close();
  }
});

test("a local attempt that fails for a reason worth retrying gives its task a job at once", async () => {
  const failedOnce = new Set<string>();
  const calls: string[] = [];
  const { dispatcher, queue, close, submit, completedJob } = await localDispatcher(
    "local-retry",
    "retry-node",
    async <T>(_method: string, _args: unknown, opts: DeploymentCallOptions = {}) => {
      const taskId = opts.traceId ?? "";
      calls.push(taskId);
      // Every task's first call fails as a replica that went away would.
      if (!failedOnce.has(taskId)) {
        failedOnce.add(taskId);
        throw new ClusterError("UNAVAILABLE", "replica went away");
      }
      return { outputs: MLP_OUTPUTS, executionProvider: "cpu", inferenceMs: 1 } as T;
    },
  );
  try {
    await dispatcher.start();
    const warm = await submit(); // through the queue (retried there once)
    assert.equal((await finished(warm.id)).status, "COMPLETED");

    const task = await submit(); // started here; fails; its job retries it at once
    const done = await finished(task.id);
    assert.equal(done.status, "COMPLETED");
    assert.equal(done.attempts, 2, "the job's attempt is numbered after the local one");
    assert.deepEqual(
      calls.filter((c) => c === task.id),
      [task.id, task.id],
      "the local attempt's call, then the job's",
    );
    assert.equal(await captures(task.id), 1, "charged once");
    const job = await completedJob(task.id); // the job ran it
    assert.equal(job?.data.startedLocally, true);
    assert.equal(job?.opts.attempts, 2, "the attempts left (3 in all)");
    assert.equal((await queue.leasedLocally([task.id])).size, 0, "no lease left");
  } finally {
    await close();
  }
});

test("local starts count against the dispatcher's concurrency: the queue's worker takes fewer jobs meanwhile", async () => {
  const inFlight = new Set<string>();
  let most = 0;
  let open: () => void = () => {};
  let gate: Promise<void> | undefined;
  const d = fakeDeploymentDispatcher(db.orm(), {
    label: "local-slots",
    nodeId: "local-node",
    taskTimeoutMs: 10_000,
    concurrency: 2,
    // No local backlog: the tasks that find no free slot are queued (local-backlog.test.ts).
    localBacklogMs: 0,
    call: async <T>(_method: string, _args: unknown, opts: DeploymentCallOptions = {}) => {
      const taskId = opts.traceId ?? "";
      inFlight.add(taskId);
      most = Math.max(most, inFlight.size);
      try {
        await gate;
      } finally {
        inFlight.delete(taskId);
      }
      return { outputs: MLP_OUTPUTS, executionProvider: "cpu", inferenceMs: 1 } as T;
    },
  });
  try {
    await d.dispatcher.start();
    const account = await db.orm().em.fork().findOneOrFail(Account, db.fx().clientId);
    const deps = { queue: d.queue, store: d.store, local: d.dispatcher.local };
    const submit = () =>
      submitTask(db.orm().em.fork(), deps, account.id, { model: "mlp-classifier", input: FEATURES });
    assert.equal((await finished((await submit()).id)).status, "COMPLETED"); // the deployment at hand
    gate = new Promise((r) => {
      open = r;
    });
    const tasks = [];
    for (let i = 0; i < 4; i++) tasks.push(await submit()); // two start here, two are queued
    assert.deepEqual(
      tasks.map((t) => t.status),
      ["QUEUED", "QUEUED", "QUEUED", "QUEUED"],
      "held; started after",
    );
    // The worker keeps one slot of its own: concurrency 2 allows 3 at worst, never 4. Once two
    // local attempts and one job are in flight, the other job waits: the worker is at its
    // concurrency (one), so it fetches no more.
    await until("three calls in flight", () => (inFlight.size === 3 ? true : undefined));
    const counts = await until("one job active, one waiting", async () => {
      const c = await d.queue.queue.getJobCounts("active", "wait", "prioritized");
      return c.active === 1 && (c.wait ?? 0) + (c.prioritized ?? 0) === 1 ? c : undefined;
    });
    assert.equal(counts.active, 1);
    assert.equal(inFlight.size, 3, "two local attempts and one job");
    open();
    gate = undefined;
    for (const t of tasks) assert.equal((await finished(t.id)).status, "COMPLETED");
    assert.equal(most, 3);
  } finally {
    await d.close();
  }
});

test("a lease that is not renewed (its process died) lets the sweep give the open task a job", async () => {
  const { dispatcher, queue, store, close } = fakeDeploymentDispatcher(db.orm(), {
    label: "local-dead",
    nodeId: "retry-node",
    taskTimeoutMs: 10_000,
    jobLockMs: 1000,
    call: async <T>() => ({ outputs: MLP_OUTPUTS, executionProvider: "cpu", inferenceMs: 1 }) as T,
  });
  try {
    // What a process that died during a local start leaves: the task held and written RUNNING
    // on a replica, under a lease nobody renews, and no job.
    const accounts = await clientAccounts(db.orm().em.fork(), db.fx().clientId);
    const taskId = randomUUID();
    const model = await db.orm().em.fork().findOneOrFail(Model, { name: "mlp-classifier" });
    const held = await store.hold({
      accountId: db.fx().clientId,
      accounts,
      now: new Date(Date.now() - 2000),
      modelChecks: [],
      tasks: [
        {
          taskId,
          modelId: model.id,
          idempotencyKey: null,
          priority: 0,
          input: FEATURES,
          pricing: null,
          escrow: PRICE,
          memo: "escrow (test)",
        },
      ],
    });
    assert.equal(held.held, true);
    const running = { nodeId: "retry-node", actorId: "a-dead" };
    assert.ok(await store.start({ taskId, attempts: 1, running }));
    await queue.leaseLocal([taskId], Date.now() + 1500);
    await dispatcher.start(); // its first recovery sweep has run when start() resolves
    assert.equal(
      (await db.orm().em.fork().findOneOrFail(Task, taskId)).status,
      "RUNNING",
      "left alone by the sweep while leased",
    );
    assert.equal(await queue.queue.getJob(taskId), undefined);
    const done = await finished(taskId);
    assert.equal(done.status, "COMPLETED", "the sweep gave it a job once the lease expired");
    assert.equal(await captures(taskId), 1, "charged once");
  } finally {
    await close();
  }
});
