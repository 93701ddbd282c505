/**
 * The local backlog (local-start.ts): tasks accepted by a process that dispatches, finding no
 * free slot, wait in that process under leases (no job), and take its slots as they free,
 * highest priority first; past the backlog's bound they are queued. A cancelled backlog task
 * leaves it and is never called; a graceful stop hands the backlog to the queue. Real
 * PostgreSQL, Redis and BullMQ; the cluster is a fake deployment.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { DeploymentCallOptions } from "@neurogrid/cluster";
import { Account, LedgerTransaction, LedgerTxKind, Task } from "../db/entities/index.js";
import { balancesOf, platformFeesAccount } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import {
  aStatementWaitsOnALock,
  FEATURES,
  finishedTask,
  MLP_OUTPUTS,
  seededDatabase,
  until,
} from "../testing/dispatcher-fixture.js";
import { fakeDeploymentDispatcher } from "../testing/fake-deployment-dispatcher.js";
import { cancelTask } from "./cancel-task.js";
import { submitTask } from "./submit-task.js";

const NODE = "backlog-node";
const db = seededDatabase([NODE]);
const finished = (id: string) => finishedTask(db.orm(), id);

/** A dispatcher (concurrency 3) whose calls wait until the test opens them. */
async function setUp(label: string) {
  const called: string[] = [];
  const gates = new Map<string, () => void>();
  const d = fakeDeploymentDispatcher(db.orm(), {
    label,
    nodeId: NODE,
    taskTimeoutMs: 20_000,
    concurrency: 3,
    localBacklogMs: 2000,
    call: async <T>(_method: string, _args: unknown, opts: DeploymentCallOptions = {}) => {
      const taskId = opts.traceId ?? "";
      called.push(taskId);
      await new Promise<void>((open) => gates.set(taskId, open));
      return { outputs: MLP_OUTPUTS, executionProvider: "cpu", inferenceMs: 1 } as T;
    },
  });
  await d.dispatcher.start();
  const account = await db.orm().em.fork().findOneOrFail(Account, db.fx().clientId);
  const deps = { queue: d.queue, store: d.store, local: d.dispatcher.local };
  const submit = (priority = 0) =>
    submitTask(db.orm().em.fork(), deps, account.id, { model: "mlp-classifier", input: FEATURES, priority });
  const open = (taskId: string) => until(`the call of ${taskId}`, () => gates.get(taskId)).then((o) => o());
  // The model's deployment at hand (its first task goes the long way).
  const warm = await submit();
  await open(warm.id);
  await finished(warm.id);
  return { d, account, called, open, submit };
}

test("tasks that find no free slot wait here under leases, and take the slots that free, highest priority first", async () => {
  const { d, account, called, open, submit } = await setUp("backlog-order");
  try {
    const a = await submit();
    const b = await submit();
    const c = await submit();
    for (const t of [a, b, c])
      await until("three slots: called", () => (called.includes(t.id) ? true : undefined));
    const low = await submit(0);
    const high = await submit(5);
    const cancelled = await submit(9);
    for (const t of [low, high, cancelled]) {
      assert.equal(t.status, "QUEUED");
      assert.equal(await d.queue.queue.getJob(t.id), undefined, "no job: it waits in the backlog");
    }
    assert.equal(d.dispatcher.local.waiting, 3, "what /metrics reports as the local backlog");
    const leased = await d.queue.leasedLocally([low.id, high.id, cancelled.id]);
    assert.equal(leased.size, 3, "each under a lease, taken before its submit answered");
    // The backlog holds one round of slots here (concurrency 3, nothing measured yet): the next
    // task goes to the shared queue.
    const overflow = await submit();
    assert.ok(await d.queue.queue.getJob(overflow.id), "past the backlog's bound: a job");

    await cancelTask(db.orm().em.fork(), { ...d, config: { platformFeeBps: 1000 } }, account, cancelled.id);
    await until("the cancelled task's lease released", async () =>
      (await d.queue.leasedLocally([cancelled.id])).size === 0 ? true : undefined,
    );
    assert.equal(d.dispatcher.local.waiting, 2, "it left the backlog");
    // The worker keeps one slot of its own: the queued task runs beside the local ones (a fourth
    // task in flight). Once it and one local attempt have ended, a slot is free.
    await open(overflow.id);
    await open(a.id);
    await until("a backlog task called", () => (called.includes(high.id) ? true : undefined));
    await open(b.id);
    await until("the other backlog task called", () => (called.includes(low.id) ? true : undefined));
    assert.ok(called.indexOf(high.id) < called.indexOf(low.id), "priority 5 before priority 0");
    for (const t of [c, high, low]) await open(t.id);
    for (const t of [a, b, c, high, low, overflow]) assert.equal((await finished(t.id)).status, "COMPLETED");
    assert.equal((await finished(cancelled.id)).status, "CANCELLED");
    assert.ok(!called.includes(cancelled.id), "a cancelled backlog task is never called");
    assert.equal(
      await db.orm().em.fork().count(LedgerTransaction, { taskId: cancelled.id, kind: LedgerTxKind.CAPTURE }),
      0,
    );
    // A lease goes once its task is final, in a write of its own after the capture's commit.
    await until("every lease released", async () =>
      (await d.queue.leasedLocally([a.id, b.id, c.id, high.id, low.id])).size === 0 ? true : undefined,
    );
    assert.equal((await balancesOf(db.orm().em.fork(), db.fx().clientId)).held, 0n);
    assert.equal((await checkLedger(db.orm().em.fork())).ok, true);
  } finally {
    await d.close();
  }
});

test("a graceful stop hands the backlog to the queue, and another dispatcher runs it", async () => {
  const first = await setUp("backlog-close");
  const running = [await first.submit(), await first.submit(), await first.submit()];
  const waiting = [await first.submit(), await first.submit()];
  for (const t of waiting) assert.equal(await first.d.queue.queue.getJob(t.id), undefined);
  const closed = first.d.close();
  const jobs = await until("the backlog queued", async () => {
    const found = await Promise.all(waiting.map((t) => first.d.queue.queue.getJob(t.id)));
    return found.every((j) => j !== undefined) ? found : undefined;
  });
  assert.equal(jobs.length, 2);
  // The stop waits for the attempts under way.
  for (const t of running) await first.open(t.id);
  await closed;
  // A dispatcher of the same queue takes the jobs.
  const second = fakeDeploymentDispatcher(db.orm(), {
    label: "backlog-close-2",
    nodeId: NODE,
    taskTimeoutMs: 20_000,
    concurrency: 2,
    prefix: first.d.prefix,
    call: async <T>() => ({ outputs: MLP_OUTPUTS, executionProvider: "cpu", inferenceMs: 1 }) as T,
  });
  try {
    assert.equal((await second.queue.leasedLocally(waiting.map((t) => t.id))).size, 0, "leases released");
    await second.dispatcher.start();
    for (const t of waiting) assert.equal((await finished(t.id)).status, "COMPLETED");
  } finally {
    await second.close();
  }
});

test("a task whose call has ended gives its slot to the next call while its capture is written, and keeps its lease until it is final", async () => {
  const { d, called, open, submit } = await setUp("slot-freed");
  // Captures wait: the platform's fee account is locked by another transaction (a hold does not
  // touch it, so submits go on).
  const knex = db.orm().em.getConnection().getKnex();
  const other = await knex.transaction();
  try {
    await other.raw("select id from ledger_accounts where id = ? for update", [
      await platformFeesAccount(db.orm().em.fork()),
    ]);
    const running = [await submit(), await submit(), await submit()];
    const [a] = running;
    if (!a) throw new Error("no task");
    const waiting = await submit();
    assert.equal(waiting.status, "QUEUED", "three slots, three calls in flight: it waits");
    await open(a.id);
    // a's answer is in, its capture waits on the lock: its slot goes to the backlog's task.
    await until("the waiting task called", () => (called.includes(waiting.id) ? true : undefined));
    await aStatementWaitsOnALock(db.orm()); // a's capture, on the fee account's lock
    const settling = await db.orm().em.fork().findOneOrFail(Task, a.id);
    assert.ok(
      !["COMPLETED", "FAILED", "CANCELLED"].includes(settling.status),
      "not final until its capture commits",
    );
    assert.equal((await d.queue.leasedLocally([a.id])).size, 1, "its lease held while it settles");
    await other.rollback();
    assert.equal((await finished(a.id)).status, "COMPLETED");
    for (const t of [...running.slice(1), waiting]) await open(t.id);
    for (const t of [...running, waiting]) assert.equal((await finished(t.id)).status, "COMPLETED");
    await until("every lease released", async () =>
      (await d.queue.leasedLocally([...running, waiting].map((t) => t.id))).size === 0 ? true : undefined,
    );
    assert.equal((await checkLedger(db.orm().em.fork())).ok, true);
  } finally {
    if (!other.isCompleted()) await other.rollback();
    await d.close();
  }
});
