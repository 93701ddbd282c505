/**
 * Deferred start (deferred-start.ts): a task whose job carries its input and charge has its
 * start written with its capture when its call ends within the delay (one statement: the row
 * goes QUEUED -> COMPLETED, with its start time, replica and attempt), and written on its own,
 * with the real start time, when the call outlasts it. Either way SCHEDULED, RUNNING and the
 * final state are announced in order, each once stored. Delay 0 writes every start before the
 * answer is used. Real PostgreSQL, Redis and BullMQ; the cluster is a fake deployment.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { ClusterError, type DeploymentCallOptions } from "@neurogrid/cluster";
import { Redis } from "ioredis";
import { Account, LedgerTransaction, LedgerTxKind, Task } from "../db/entities/index.js";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import {
  announcedSoFar,
  FEATURES,
  finishedTask,
  MLP_OUTPUTS,
  seededDatabase,
  until,
} from "../testing/dispatcher-fixture.js";
import { fakeDeploymentDispatcher } from "../testing/fake-deployment-dispatcher.js";
import { testRedisUrl } from "../testing/test-database.js";
import { cancelTask } from "./cancel-task.js";
import { submitTask } from "./submit-task.js";

const NODE = "deferred-node";
const db = seededDatabase([NODE]);
const row = (id: string) => db.orm().em.fork().findOneOrFail(Task, id);
const finished = (id: string) => finishedTask(db.orm(), id);

/**
 * A dispatcher whose calls wait until the test opens them (one gate per call, in order), and a
 * listener of every task event of its prefix.
 */
async function setUp(label: string, startWriteDelayMs: number) {
  const gates: { taskId: string; open: () => void }[] = [];
  const aborted: string[] = [];
  const d = fakeDeploymentDispatcher(db.orm(), {
    label,
    nodeId: NODE,
    taskTimeoutMs: 10_000,
    startWriteDelayMs,
    call: async <T>(_method: string, _args: unknown, opts: DeploymentCallOptions = {}) => {
      await new Promise<void>((open, reject) => {
        gates.push({ taskId: opts.traceId ?? "", open });
        // As a replica does: an aborted call ends CANCELLED.
        opts.signal?.addEventListener("abort", () => {
          aborted.push(opts.traceId ?? "");
          reject(new ClusterError("CANCELLED", "call cancelled by the caller"));
        });
      });
      return { outputs: MLP_OUTPUTS, executionProvider: "cpu", inferenceMs: 1 } as T;
    },
  });
  const heard: { taskId: string; status: string }[] = [];
  const sub = new Redis(testRedisUrl());
  sub.on("pmessage", (_p, _c, message: string) => heard.push(...[JSON.parse(message)].flat()));
  await sub.psubscribe(`${d.prefix}:task-events:*`);
  await d.dispatcher.start();
  const account = await db.orm().em.fork().findOneOrFail(Account, db.fx().clientId);
  const submit = () =>
    submitTask(db.orm().em.fork(), { queue: d.queue, store: d.store }, account.id, {
      model: "mlp-classifier",
      input: FEATURES,
    });
  // The model's first task goes the long way (its deployment is got): run one to warm it.
  const warm = await submit();
  (await until("the warm-up call", async () => gates.shift())).open();
  await finished(warm.id);
  const states = (taskId: string) => heard.filter((e) => e.taskId === taskId).map((e) => e.status);
  const close = async () => {
    sub.disconnect();
    await d.close();
  };
  return { d, account, gates, aborted, heard, submit, states, close };
}

test("a call that ends within the delay: no start statement; its capture writes the start", async () => {
  const { d, gates, heard, submit, states, close } = await setUp("deferred-fast", 5_000);
  try {
    const task = await submit();
    const gate = await until("the call", async () => gates.shift());
    assert.equal(gate.taskId, task.id);
    // The call is out, its start not written: the row still says QUEUED, nothing announced.
    const during = await row(task.id);
    assert.equal(during.status, "QUEUED");
    assert.equal(during.startedAt ?? null, null);
    await announcedSoFar(d.events, heard);
    assert.deepEqual(
      states(task.id).filter((s) => s !== "QUEUED"),
      [],
      "nothing announced before it is stored",
    );
    const openedAt = Date.now();
    gate.open();
    const done = await finished(task.id);
    assert.equal(done.status, "COMPLETED");
    assert.ok(done.startedAt && done.scheduledAt, "the start is written with the final state");
    assert.equal(done.startedAt.getTime(), done.scheduledAt.getTime());
    assert.ok(done.startedAt.getTime() <= openedAt, "the real start time, not the capture's");
    assert.equal(done.nodeId, NODE);
    assert.equal(done.actorId, d.replica.actorId);
    assert.equal(done.attempts, 1);
    await announcedSoFar(d.events, heard);
    assert.deepEqual(
      states(task.id).filter((s) => s !== "QUEUED"),
      ["SCHEDULED", "RUNNING", "COMPLETED"],
    );
    assert.equal(
      await db.orm().em.fork().count(LedgerTransaction, { taskId: task.id, kind: LedgerTxKind.CAPTURE }),
      1,
    );
    assert.equal((await balancesOf(db.orm().em.fork(), db.fx().clientId)).held, 0n);
    assert.equal((await checkLedger(db.orm().em.fork())).ok, true);
  } finally {
    await close();
  }
});

test("a call that outlasts the delay: RUNNING is written (at its real start) and announced while it runs", async () => {
  const { d, gates, heard, submit, states, close } = await setUp("deferred-slow", 300);
  try {
    const task = await submit();
    const gate = await until("the call", async () => gates.shift());
    const sentAt = Date.now();
    const running = await until("the row RUNNING", async () => {
      const t = await row(task.id);
      return t.status === "RUNNING" ? t : undefined;
    });
    assert.ok(Date.now() - sentAt >= 200, "not before the delay");
    assert.equal(running.nodeId, NODE);
    assert.equal(running.actorId, d.replica.actorId);
    assert.equal(running.attempts, 1);
    assert.ok(running.startedAt && running.startedAt.getTime() <= sentAt, "the call's start time");
    await until("SCHEDULED and RUNNING announced", async () =>
      states(task.id).includes("RUNNING") ? true : undefined,
    );
    gate.open();
    const done = await finished(task.id);
    assert.equal(done.status, "COMPLETED");
    assert.equal(done.startedAt?.getTime(), running.startedAt.getTime(), "the start kept");
    await announcedSoFar(d.events, heard);
    assert.deepEqual(
      states(task.id).filter((s) => s !== "QUEUED"),
      ["SCHEDULED", "RUNNING", "COMPLETED"],
      "each state once, in order",
    );
  } finally {
    await close();
  }
});

test("delay 0: the start is written before the call's answer is used", async () => {
  const { gates, submit, close } = await setUp("deferred-off", 0);
  try {
    const task = await submit();
    const gate = await until("the call", async () => gates.shift());
    await until("the row RUNNING", async () =>
      (await row(task.id)).status === "RUNNING" ? true : undefined,
    );
    gate.open();
    assert.equal((await finished(task.id)).status, "COMPLETED");
  } finally {
    await close();
  }
});

test("cancelled while its call runs, before its start is stored: the call is aborted, nothing charged", async () => {
  const { d, account, gates, aborted, heard, submit, states, close } = await setUp("deferred-cancel", 5_000);
  try {
    const task = await submit();
    await until("the call", async () => gates.shift());
    assert.equal((await row(task.id)).status, "QUEUED", "its start not stored yet");
    const cancelled = await cancelTask(
      db.orm().em.fork(),
      { queue: d.queue, events: d.events, store: d.store, config: { platformFeeBps: 1000 } },
      account,
      task.id,
    );
    assert.equal(cancelled.status, "CANCELLED");
    const done = await finished(task.id);
    assert.equal(done.status, "CANCELLED");
    await until("the call aborted", async () => (aborted.includes(task.id) ? true : undefined));
    await announcedSoFar(d.events, heard);
    assert.deepEqual(
      states(task.id).filter((s) => s !== "QUEUED"),
      ["CANCELLED"],
      "never announced as started: it never was, in the table",
    );
    assert.equal(
      await db.orm().em.fork().count(LedgerTransaction, { taskId: task.id, kind: LedgerTxKind.CAPTURE }),
      0,
      "no capture",
    );
    assert.equal(
      await db.orm().em.fork().count(LedgerTransaction, { taskId: task.id, kind: LedgerTxKind.REFUND }),
      1,
      "refunded whole, once",
    );
    assert.equal((await checkLedger(db.orm().em.fork())).ok, true);
  } finally {
    await close();
  }
});
