/** The hold and settle statements (hold-statement.ts, settle-statement.ts) on a real PostgreSQL: all or nothing, once per task. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { Account, Role, Task } from "../db/entities/index.js";
import { type LedgerFixture, ledgerFixture } from "../testing/ledger-fixture.js";
import { balancesOf, clientAccounts, platformFeesAccount, providerPendingAccount } from "./accounts.js";
import { checkLedger } from "./check.js";
import { deposit } from "./deposit.js";
import { holdTasks } from "./hold-statement.js";
import { refundLegs } from "./movements.js";
import { type SettleRow, settleTasks } from "./settle-statement.js";

const OPEN = "{QUEUED,SCHEDULED,RUNNING}";
const completeAndCaptureMany = (em: ReturnType<MikroORM["em"]["fork"]>, rows: SettleRow[]) =>
  settleTasks(em, OPEN, rows);

let fixture: LedgerFixture;
let orm: MikroORM;
let clientId: string;
let providerId: string;
let modelId: string;

before(async () => {
  fixture = await ledgerFixture(1000n);
  ({ orm, clientId, providerId, modelId } = fixture);
});

after(async () => {
  await fixture?.close();
});

const hold = (n: number, price: bigint) => fixture.hold(n, price);

async function capture(taskId: string, maxPrice: bigint, cost: bigint): Promise<SettleRow> {
  const em = orm.em.fork();
  const client = await clientAccounts(em, clientId);
  const fee = cost / 10n;
  return {
    taskId,
    movement: "capture",
    escrow: maxPrice,
    status: "COMPLETED",
    result: { ok: true },
    executionProvider: "cpu",
    inferenceMs: 1,
    nodeId: "n",
    cost,
    units: 1n,
    fee,
    providerEarning: cost - fee,
    legs: [
      { accountId: client.held, amount: -maxPrice },
      { accountId: client.available, amount: maxPrice - cost },
      { accountId: await providerPendingAccount(em, providerId), amount: cost - fee },
      { accountId: await platformFeesAccount(em), amount: fee },
    ],
    memo: "test",
    now: new Date(),
  };
}

test("a batch hold is all or nothing against the balance", async () => {
  const refused = await hold(11, 100n);
  assert.ok(!refused.outcome.held && !refused.outcome.stale);
  assert.equal(refused.outcome.total, 1100n);
  assert.equal(refused.outcome.balance, 1000n, "the balance it did not cover");
  let b = await balancesOf(orm.em.fork(), clientId);
  assert.deepEqual([b.available, b.held], [1000n, 0n]);
  const [row] = await orm.em.fork().execute<{ n: string }[]>("select count(*) as n from tasks");
  assert.equal(Number(row?.n), 0);
  const held = await hold(3, 100n);
  assert.equal(held.outcome.held, true);
  b = await balancesOf(orm.em.fork(), clientId);
  assert.deepEqual([b.available, b.held], [700n, 300n]);
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("a batch capture captures each open task once; one final already is left alone", async () => {
  const { ids } = await hold(3, 100n);
  const [a, b, c] = ids as [string, string, string];
  assert.deepEqual(
    await completeAndCaptureMany(orm.em.fork(), [await capture(a, 100n, 60n), await capture(b, 100n, 60n)]),
    [true, true],
  );
  assert.deepEqual(
    await completeAndCaptureMany(orm.em.fork(), [await capture(a, 100n, 60n), await capture(c, 100n, 60n)]),
    [false, true],
  );
  const [row] = await orm.em
    .fork()
    .execute<{ n: string }[]>(
      "select count(*) as n from ledger_transactions where kind = 'capture' and task_id = any(?::uuid[])",
      [`{${ids.join(",")}}`],
    );
  assert.equal(Number(row?.n), 3);
  assert.equal((await balancesOf(orm.em.fork(), providerId)).pending, 3n * 54n);
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("one task twice in a batch capture (two attempts ending at once) is captured by one of them only", async () => {
  const { ids } = await hold(1, 100n);
  const [a] = ids as [string];
  const pending = (await balancesOf(orm.em.fork(), providerId)).pending;
  const outcome = await completeAndCaptureMany(orm.em.fork(), [
    await capture(a, 100n, 60n),
    await capture(a, 100n, 60n),
  ]);
  assert.deepEqual(
    [...outcome].sort(),
    [false, true],
    "one request captured it, the other is told it did not",
  );
  const [row] = await orm.em
    .fork()
    .execute<{ n: string }[]>(
      "select count(*) as n from ledger_transactions where kind = 'capture' and task_id = ?",
      [a],
    );
  assert.equal(Number(row?.n), 1);
  assert.equal((await balancesOf(orm.em.fork(), providerId)).pending - pending, 54n, "credited once");
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("a batch capture with one bad task writes nothing at all (the caller then goes one by one)", async () => {
  const { ids } = await hold(2, 100n);
  const [a, b] = ids as [string, string];
  const before = await balancesOf(orm.em.fork(), clientId);
  // Charging more than the escrow breaks the task's check (cost <= max_price).
  await assert.rejects(
    completeAndCaptureMany(orm.em.fork(), [await capture(a, 100n, 60n), await capture(b, 100n, 160n)]),
  );
  const after = await balancesOf(orm.em.fork(), clientId);
  assert.deepEqual(after, before);
  const [row] = await orm.em
    .fork()
    .execute<{ status: string }[]>("select status from tasks where id = ?", [a]);
  assert.equal(row?.status, "QUEUED");
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("a refund and a capture exclude each other: the second finds the task final and moves nothing", async () => {
  const { ids } = await hold(2, 100n);
  const [a, b] = ids as [string, string];
  const client = await clientAccounts(orm.em.fork(), clientId);
  const refund = (taskId: string): SettleRow => ({
    taskId,
    movement: "refund",
    escrow: 100n,
    status: "CANCELLED",
    error: "test",
    cost: 0n,
    units: 0n,
    legs: refundLegs(client, 100n),
    memo: "refund",
    now: new Date(),
  });
  assert.deepEqual(await completeAndCaptureMany(orm.em.fork(), [refund(a)]), [true]);
  assert.deepEqual(await completeAndCaptureMany(orm.em.fork(), [await capture(a, 100n, 60n)]), [false]);
  assert.deepEqual(await completeAndCaptureMany(orm.em.fork(), [await capture(b, 100n, 60n)]), [true]);
  assert.deepEqual(await completeAndCaptureMany(orm.em.fork(), [refund(b)]), [false]);
  const kinds = await orm.em
    .fork()
    .execute<{ task_id: string; kind: string }[]>(
      "select task_id, kind from ledger_transactions where task_id = any(?::uuid[]) and kind <> 'hold' order by kind",
      [`{${ids.join(",")}}`],
    );
  assert.deepEqual(
    kinds.map((k) => [k.task_id, k.kind]),
    [
      [b, "capture"],
      [a, "refund"],
    ],
  );
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("holds of two clients in one statement: both written, or — one client short — the group fails and writes nothing", async () => {
  const em = orm.em.fork();
  const other = em.create(Account, { name: "c2", role: Role.CLIENT });
  await em.persist(other).flush();
  await deposit(orm.em.fork(), other.id, 50n, "test");
  const unit = async (accountId: string, escrow: bigint) => ({
    accountId,
    accounts: await clientAccounts(orm.em.fork(), accountId),
    now: new Date(),
    modelChecks: [],
    tasks: [
      {
        taskId: randomUUID(),
        modelId,
        idempotencyKey: null,
        priority: 0,
        input: {},
        pricing: { unit: "call", price: escrow.toString(), maxUnits: 1 },
        escrow,
        memo: "test",
      },
    ],
  });
  const before = [await balancesOf(orm.em.fork(), clientId), await balancesOf(orm.em.fork(), other.id)];
  await assert.rejects(holdTasks(orm.em.fork(), [await unit(clientId, 10n), await unit(other.id, 60n)]));
  assert.deepEqual(
    [await balancesOf(orm.em.fork(), clientId), await balancesOf(orm.em.fork(), other.id)],
    before,
  );
  assert.deepEqual(await holdTasks(orm.em.fork(), [await unit(clientId, 10n), await unit(other.id, 50n)]), [
    { held: true },
    { held: true },
  ]);
  assert.equal((await balancesOf(orm.em.fork(), other.id)).held, 50n);
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("a settlement naming another escrow than the task's settles nothing: no money is left held for a final task", async () => {
  const { ids } = await hold(1, 100n);
  const [a] = ids as [string];
  const before = await balancesOf(orm.em.fork(), clientId);
  const wrong = { ...(await capture(a, 40n, 10n)), escrow: 40n };
  assert.deepEqual(await completeAndCaptureMany(orm.em.fork(), [wrong]), [false]);
  const task = await orm.em.fork().findOneOrFail(Task, a);
  assert.equal(task.status, "QUEUED", "still open");
  assert.deepEqual(await balancesOf(orm.em.fork(), clientId), before, "nothing moved");
  assert.deepEqual(await completeAndCaptureMany(orm.em.fork(), [await capture(a, 100n, 10n)]), [true]);
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});
