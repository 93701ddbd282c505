/**
 * The capture fenced by actor incarnation (settle-statement.ts), on a real PostgreSQL: an answer
 * from an incarnation other than the one the task's start recorded — an older epoch of the same
 * actor, or another actor — moves no money and leaves the task open; the recorded one captures.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { startTasks } from "../tasks/start-statement.js";
import { type LedgerFixture, ledgerFixture } from "../testing/ledger-fixture.js";
import { balancesOf, clientAccounts, platformFeesAccount, providerPendingAccount } from "./accounts.js";
import { checkLedger } from "./check.js";
import { type SettleRow, settleTasks } from "./settle-statement.js";

const OPEN = "{QUEUED,SCHEDULED,RUNNING}";
const PRICE = 100n;
const COST = 60n;

let fixture: LedgerFixture;
let orm: MikroORM;
let clientId: string;
let providerId: string;

before(async () => {
  fixture = await ledgerFixture(1000n);
  ({ orm, clientId, providerId } = fixture);
});

after(async () => {
  await fixture?.close();
});

/** One task held and started RUNNING on actor `actorId` in `epoch`. */
async function runningTask(actorId: string, epoch: number): Promise<string> {
  const {
    ids: [taskId = ""],
  } = await fixture.hold(1, PRICE);
  const [started] = await startTasks(orm.em.fork(), OPEN, [
    { taskId, attempts: 1, running: { nodeId: "n1", actorId, epoch } },
  ]);
  assert.ok(started, "the task started");
  return taskId;
}

async function captureBy(taskId: string, servedBy: { actorId: string; epoch: number }): Promise<SettleRow> {
  const em = orm.em.fork();
  const client = await clientAccounts(em, clientId);
  const fee = COST / 10n;
  return {
    taskId,
    movement: "capture",
    escrow: PRICE,
    status: "COMPLETED",
    result: { ok: true },
    executionProvider: "cpu",
    inferenceMs: 1,
    nodeId: "n1",
    cost: COST,
    units: 1n,
    fee,
    providerEarning: COST - fee,
    legs: [
      { accountId: client.held, amount: -PRICE },
      { accountId: client.available, amount: PRICE - COST },
      { accountId: await providerPendingAccount(em, providerId), amount: COST - fee },
      { accountId: await platformFeesAccount(em), amount: fee },
    ],
    memo: "test",
    now: new Date(),
    servedBy,
  };
}

async function taskRow(taskId: string) {
  const [row] = await orm.em
    .fork()
    .execute<{ status: string; cost: string | null; actor_id: string; actor_epoch: number | null }[]>(
      "select status, cost::text as cost, actor_id, actor_epoch from tasks where id = ?",
      [taskId],
    );
  return row;
}

test("a capture answered by a stale epoch of the recorded actor moves no money; the recorded epoch's does", async () => {
  const taskId = await runningTask("a1", 2);
  assert.deepEqual(await taskRow(taskId), { status: "RUNNING", cost: null, actor_id: "a1", actor_epoch: 2 });
  const before = await balancesOf(orm.em.fork(), clientId);

  assert.deepEqual(
    await settleTasks(orm.em.fork(), OPEN, [await captureBy(taskId, { actorId: "a1", epoch: 1 })]),
    [false],
  );
  assert.deepEqual(
    await balancesOf(orm.em.fork(), clientId),
    before,
    "nothing captured from the stale epoch",
  );
  assert.equal((await taskRow(taskId))?.status, "RUNNING", "the task stays with its live attempt");

  assert.deepEqual(
    await settleTasks(orm.em.fork(), OPEN, [await captureBy(taskId, { actorId: "a1", epoch: 2 })]),
    [true],
  );
  const after = await balancesOf(orm.em.fork(), clientId);
  assert.deepEqual([after.available, after.held], [before.available + PRICE - COST, before.held - PRICE]);
  assert.equal((await taskRow(taskId))?.status, "COMPLETED");
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("a capture by an actor the task has moved away from (a later start on another) moves no money", async () => {
  const taskId = await runningTask("a1", 1);
  // The next attempt starts on another replica: the task records it now.
  await startTasks(orm.em.fork(), OPEN, [
    { taskId, attempts: 2, running: { nodeId: "n2", actorId: "b1", epoch: 4 } },
  ]);
  const before = await balancesOf(orm.em.fork(), clientId);
  assert.deepEqual(
    await settleTasks(orm.em.fork(), OPEN, [await captureBy(taskId, { actorId: "a1", epoch: 1 })]),
    [false],
  );
  assert.deepEqual(await balancesOf(orm.em.fork(), clientId), before);
  assert.deepEqual(
    await settleTasks(orm.em.fork(), OPEN, [await captureBy(taskId, { actorId: "b1", epoch: 4 })]),
    [true],
  );
  assert.equal((await taskRow(taskId))?.status, "COMPLETED");
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});
