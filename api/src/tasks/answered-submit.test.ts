/**
 * A task submitted alone whose call answers before its hold (NEUROGRID_ANSWER_WAIT_MS): one
 * statement holds, completes and captures it (ledger/escrow-instant.ts), and the submit answers
 * COMPLETED with its result. Real PostgreSQL, Redis and BullMQ; the cluster is a fake
 * deployment.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { DeploymentCallOptions } from "@neurogrid/cluster";
import { Account, LedgerAccountKind, LedgerTransaction, Task } from "../db/entities/index.js";
import { ApiError } from "../errors.js";
import { balancesOf, platformBalance } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { FEATURES, finishedTask, seededDatabase, sleep, until } from "../testing/dispatcher-fixture.js";
import { fakeDeploymentDispatcher } from "../testing/fake-deployment-dispatcher.js";
import { submitTask } from "./submit-task.js";
import type { TaskProgressEvent } from "./task-events.js";

const NODE = "answered-node";
const db = seededDatabase([NODE]);
/** mlp-classifier's price per call; the dispatcher's fee is 10%. */
const PRICE = 1_000_000n;

/** A dispatcher that waits up to `answerWaitMs` for answers; its replica answers after `callMs`. */
async function setUp(label: string, answerWaitMs: number, callMs: () => number) {
  const called: string[] = [];
  const d = fakeDeploymentDispatcher(db.orm(), {
    label,
    nodeId: NODE,
    taskTimeoutMs: 10_000,
    concurrency: 2,
    answerWaitMs,
    call: async <T>(_method: string, _args: unknown, opts: DeploymentCallOptions = {}) => {
      called.push(opts.traceId ?? "");
      const ms = callMs();
      if (ms > 0) await sleep(ms);
      return { outputs: { y: [0.25, 0.75] }, executionProvider: "cpu", inferenceMs: 0.2 } as T;
    },
  });
  const published: TaskProgressEvent[] = [];
  const publishAll = d.events.publishAll.bind(d.events);
  d.events.publishAll = (events) => {
    published.push(...events);
    return publishAll(events);
  };
  await d.dispatcher.start();
  const deps = { queue: d.queue, events: d.events, local: d.dispatcher.local };
  const submit = (account: Account) =>
    submitTask(db.orm().em.fork(), deps, account, { model: "mlp-classifier", input: FEATURES });
  const client = await db.orm().em.fork().findOneOrFail(Account, db.fx().clientId);
  // The model's deployment at hand (its first task goes the long way).
  await finishedTask(db.orm(), (await submit(client)).id);
  return { d, called, published, submit, client };
}

test("a call that answers before its hold: one statement holds, completes and captures the task, and the submit answers COMPLETED", async () => {
  const { d, called, published, submit, client } = await setUp("answered", 2000, () => 0);
  try {
    const em = db.orm().em.fork();
    const before = await balancesOf(em, client.id);
    const earningsBefore = (await balancesOf(em, db.fx().providerId)).earnings;
    const feesBefore = await platformBalance(em, LedgerAccountKind.PLATFORM_FEES);

    const task = await submit(client);
    assert.equal(task.status, "COMPLETED", "answered with the task final");
    assert.deepEqual(task.result, { y: [0.25, 0.75] });
    assert.equal(task.cost, PRICE);
    assert.equal(task.platformFee, PRICE / 10n);
    assert.deepEqual(called.slice(-1), [task.id], "one call");

    const stored = await db.orm().em.fork().findOneOrFail(Task, task.id);
    assert.equal(stored.status, "COMPLETED");
    assert.deepEqual(stored.result, { y: [0.25, 0.75] });
    assert.equal(stored.attempts, 1);
    assert.equal(stored.nodeId, NODE);
    assert.ok(stored.scheduledAt && stored.startedAt && stored.finishedAt, "every state's time stored");
    const movements = await db
      .orm()
      .em.fork()
      .find(LedgerTransaction, { taskId: task.id }, { orderBy: { kind: "asc" } });
    assert.deepEqual(
      movements.map((m) => m.kind),
      ["capture", "hold"],
      "a hold and a capture, as when they are two statements",
    );

    const after = await balancesOf(db.orm().em.fork(), client.id);
    assert.equal(before.available - after.available, PRICE, "the client paid the price");
    assert.equal(after.held, before.held, "nothing left held");
    assert.equal(
      (await balancesOf(db.orm().em.fork(), db.fx().providerId)).earnings - earningsBefore,
      PRICE - PRICE / 10n,
    );
    assert.equal(
      (await platformBalance(db.orm().em.fork(), LedgerAccountKind.PLATFORM_FEES)) - feesBefore,
      PRICE / 10n,
    );
    assert.equal((await checkLedger(db.orm().em.fork())).ok, true);

    await until("SCHEDULED, RUNNING and COMPLETED announced", () =>
      published.filter((e) => e.taskId === task.id).length === 3 ? true : undefined,
    );
    assert.deepEqual(
      published.filter((e) => e.taskId === task.id).map((e) => e.status),
      ["SCHEDULED", "RUNNING", "COMPLETED"],
    );
    assert.equal(await d.queue.queue.getJob(task.id), undefined, "no job");
    await until("its lease released", async () =>
      (await d.queue.leasedLocally([task.id])).size === 0 ? true : undefined,
    );
  } finally {
    await d.close();
  }
});

test("an answered call whose hold the balance does not cover: INSUFFICIENT_FUNDS, nothing written", async () => {
  const { d, called, submit } = await setUp("answered-poor", 2000, () => 0);
  try {
    const poor = await db.orm().em.fork().findOneOrFail(Account, { name: "client-poor" });
    const before = await balancesOf(db.orm().em.fork(), poor.id);
    const calls = called.length;
    await assert.rejects(submit(poor), (err) => err instanceof ApiError && err.code === "INSUFFICIENT_FUNDS");
    assert.equal(called.length, calls + 1, "its call had been made (and is dropped)");
    assert.equal(await db.orm().em.fork().count(Task, { account: poor.id }), 0, "no task written");
    assert.deepEqual(await balancesOf(db.orm().em.fork(), poor.id), before);
    assert.equal((await checkLedger(db.orm().em.fork())).ok, true);
  } finally {
    await d.close();
  }
});

test("a call slower than the wait: the hold goes first, and the dispatcher completes the task", async () => {
  const { d, submit, client } = await setUp("answered-slow", 20, () => 300);
  try {
    const task = await submit(client);
    assert.equal(task.status, "RUNNING", "held and started, not waited for");
    const done = await finishedTask(db.orm(), task.id);
    assert.equal(done.status, "COMPLETED");
    assert.equal(done.cost, PRICE);
    assert.equal(
      await db.orm().em.fork().count(LedgerTransaction, { taskId: task.id }),
      2,
      "its hold and its capture",
    );
  } finally {
    await d.close();
  }
});
