/**
 * The money of result verification (ledger/verification-money.ts) on a real PostgreSQL, through
 * the task store's capture (its real legs) and the verification store's writes: a capture
 * credits the provider's pending account; a verdict releases or forfeits the task's share, with
 * the penalty of the node at fault, each movement once and balanced; the window's release moves
 * only the tasks with no check open, many in one statement, once however many sweeps run at
 * once; a check the client asked for is paid for once, and given back when it could not run.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { Account, Node, Role } from "../db/entities/index.js";
import { runPrepared } from "../db/prepared.js";
import { balancesOf, platformBalance } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { RELEASE_DUE } from "../ledger/verification-money.js";
import { PgTaskStore } from "../tasks/task-store.js";
import { type LedgerFixture, ledgerFixture } from "../testing/ledger-fixture.js";
import { VerificationStore } from "./verification-store.js";

/** Per call at 100, a fee of 10 %: each completed task costs 100, its provider's share is 90. */
const PRICE = 100n;
const SHARE = 90n;
const FEE = 10n;
const pricing = { unit: "call" as const, price: PRICE.toString(), maxUnits: 1 };

let fixture: LedgerFixture;
let orm: MikroORM;
let clientId: string;
/** The providers of node-t (runs the tasks), node-c (checks) and node-r (referees). */
let taskProvider: string;
let checkProvider: string;
let tasks: PgTaskStore;

const store = (penaltyFactor = 1) =>
  new VerificationStore({
    em: orm.em.fork(),
    events: { publish: async () => {} },
    now: () => new Date(),
    penaltyFactor,
  });

before(async () => {
  fixture = await ledgerFixture(100_000n);
  ({ orm, clientId } = fixture);
  taskProvider = fixture.providerId;
  const em = orm.em.fork();
  const checker = em.create(Account, { name: "checker", role: Role.PROVIDER });
  const referee = em.create(Account, { name: "referee", role: Role.PROVIDER });
  const owner = await em.findOneOrFail(Account, taskProvider);
  em.persist([
    checker,
    referee,
    em.create(Node, { id: "node-t", provider: owner }),
    em.create(Node, { id: "node-c", provider: checker }),
    em.create(Node, { id: "node-r", provider: referee }),
  ]);
  await em.flush();
  checkProvider = checker.id;
  tasks = new PgTaskStore(orm.em.fork());
});

after(async () => {
  await fixture?.close();
});

/** A task held (twice the escrow when `verify`) and captured COMPLETED on `node`. */
async function completed(
  opts: { node?: string; provider?: string; sampled?: boolean; verify?: boolean } = {},
): Promise<string> {
  const escrow = opts.verify ? 2n * PRICE : PRICE;
  const {
    ids: [taskId = ""],
    outcome: held,
  } = await fixture.hold(1, escrow, { pricing, verify: opts.verify });
  assert.equal(held?.held, true);
  const at = await tasks.capture({
    task: { id: taskId, accountId: clientId, pricing, maxPrice: escrow, verify: opts.verify === true },
    status: "COMPLETED",
    result: { answer: "the task's" },
    usage: { completed: true },
    executionProvider: "cpu",
    inferenceMs: 1,
    nodeId: opts.node ?? "node-t",
    providerId: opts.provider ?? taskProvider,
    platformFeeBps: 1000,
    sampled: opts.sampled === true,
  });
  assert.ok(at, "captured");
  return taskId;
}

type Movement = { kind: string; legs: { kind: string; owner: string | null; amount: bigint }[] };

/** A task's ledger movements after its hold and capture, each checked to balance. */
async function verdictMovements(taskId: string): Promise<Movement[]> {
  const rows = await orm.em
    .fork()
    .execute<{ tx: string; kind: string; account_kind: string; owner_id: string | null; amount: string }[]>(
      `select t.id as tx, t.kind, a.kind as account_kind, a.owner_id, e.amount
       from ledger_transactions t join ledger_entries e on e.transaction_id = t.id
       join ledger_accounts a on a.id = e.account_id
      where t.task_id = ? and t.kind not in ('hold', 'capture') order by t.kind, a.kind`,
      [taskId],
    );
  const byTx = new Map<string, Movement>();
  for (const r of rows) {
    const m = byTx.get(r.tx) ?? { kind: r.kind, legs: [] };
    m.legs.push({ kind: r.account_kind, owner: r.owner_id, amount: BigInt(r.amount) });
    byTx.set(r.tx, m);
  }
  for (const m of byTx.values()) {
    assert.equal(
      m.legs.reduce((s, l) => s + l.amount, 0n),
      0n,
      `${m.kind} balances`,
    );
  }
  return [...byTx.values()];
}

const kinds = (ms: Movement[]) => ms.map((m) => m.kind).sort();

test("a capture credits the provider's pending account; its VERIFIED check releases it once", async () => {
  const before = await balancesOf(orm.em.fork(), taskProvider);
  const id = await completed({ sampled: true });
  let after = await balancesOf(orm.em.fork(), taskProvider);
  assert.equal(after.pending - before.pending, SHARE, "pending, not payable");
  assert.equal(after.earnings, before.earnings);
  const check = { agree: true, checkedBy: "node-c", result: {}, verdict: "agrees" };
  assert.equal(await store().checked(id, check), true);
  assert.equal(await store().checked(id, check), false, "a second verdict moves nothing");
  after = await balancesOf(orm.em.fork(), taskProvider);
  assert.equal(after.pending, before.pending, "released");
  assert.equal(after.earnings - before.earnings, SHARE);
  const moves = await verdictMovements(id);
  assert.deepEqual(kinds(moves), ["release"]);
  // Nothing is left for the window: the task is not released again.
  await store().releaseDue(new Date(Date.now() + 3_600_000));
  assert.deepEqual(kinds(await verdictMovements(id)), ["release"]);
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("the window releases, in one statement, every task with no check open finished before it, once", async () => {
  await store().releaseDue(new Date(Date.now() + 3_600_000)); // earlier tests' tasks
  const unchecked = [await completed(), await completed(), await completed()];
  const abandoned = await completed({ sampled: true });
  assert.equal(await store().abandon(abandoned, "no replica of another provider"), true);
  const sampled = await completed({ sampled: true });
  const disputed = await completed({ sampled: true });
  await store().checked(disputed, { agree: false, checkedBy: "node-c", result: {}, verdict: "disagrees" });
  const cutoff = new Date(Date.now() + 1);
  const late = await (async () => {
    await new Promise((r) => setTimeout(r, 5));
    return completed();
  })();
  const before = await balancesOf(orm.em.fork(), taskProvider);
  const [row] = await runPrepared<{ released: string }>(orm.em.fork(), "test_release_due", RELEASE_DUE, [
    cutoff,
    1000,
    new Date(),
  ]);
  assert.equal(Number(row?.released), 4, "the three unchecked and the abandoned one, in one statement");
  const after = await balancesOf(orm.em.fork(), taskProvider);
  assert.equal(after.earnings - before.earnings, 4n * SHARE);
  assert.equal(before.pending - after.pending, 4n * SHARE);
  for (const id of [...unchecked, abandoned])
    assert.deepEqual(kinds(await verdictMovements(id)), ["release"]);
  for (const id of [sampled, disputed, late]) assert.deepEqual(await verdictMovements(id), [], "not due");
  assert.equal(await store().releaseDue(cutoff), 0, "once");
  // The open ones move with their verdicts: agreement, and a dispute no referee settled (no fault).
  await store().checked(sampled, { agree: true, checkedBy: "node-c", result: {}, verdict: "agrees" });
  await store().resolve(disputed, {
    referee: undefined,
    refereeResult: null,
    atFault: undefined,
    verdict: "v",
  });
  for (const id of [sampled, disputed]) assert.deepEqual(kinds(await verdictMovements(id)), ["release"]);
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("two sweeps releasing at once release each task once", async () => {
  await store().releaseDue(new Date(Date.now() + 3_600_000));
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push(await completed());
  const before = await balancesOf(orm.em.fork(), taskProvider);
  const cutoff = new Date(Date.now() + 1000);
  const released = await Promise.all([store().releaseDue(cutoff), store().releaseDue(cutoff)]);
  assert.equal(released[0] + released[1], ids.length);
  for (const id of ids) assert.deepEqual(kinds(await verdictMovements(id)), ["release"]);
  const after = await balancesOf(orm.em.fork(), taskProvider);
  assert.equal(after.earnings - before.earnings, BigInt(ids.length) * SHARE);
  assert.equal(after.pending, 0n);
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("a task whose node is at fault forfeits its share to the client (the fee too) and pays the penalty, once", async () => {
  await store().releaseDue(new Date(Date.now() + 3_600_000));
  assert.equal((await balancesOf(orm.em.fork(), taskProvider)).pending, 0n);
  const other = await completed(); // more pending than this task's share: the penalty is not capped
  const id = await completed({ sampled: true });
  const client0 = await balancesOf(orm.em.fork(), clientId);
  const provider0 = await balancesOf(orm.em.fork(), taskProvider);
  const fees0 = await platformBalance(orm.em.fork(), "platform_fees");
  await store().checked(id, { agree: false, checkedBy: "node-c", result: {}, verdict: "disagrees" });
  const resolution = {
    referee: "node-r",
    refereeResult: { answer: "the referee's" },
    atFault: "node-t",
    verdict: "v",
  };
  assert.equal(await store().resolve(id, resolution), true);
  assert.equal(await store().resolve(id, resolution), false, "resolved once");
  const moves = await verdictMovements(id);
  assert.deepEqual(kinds(moves), ["forfeit", "penalty"]);
  const forfeit = moves.find((m) => m.kind === "forfeit")?.legs;
  assert.deepEqual(
    forfeit?.map((l) => [l.kind, l.amount]),
    [
      ["client_available", PRICE],
      ["platform_fees", -FEE],
      ["provider_pending", -SHARE],
    ],
  );
  const penalty = moves.find((m) => m.kind === "penalty")?.legs;
  assert.deepEqual(
    penalty?.map((l) => [l.kind, l.owner, l.amount]),
    [
      ["platform_fees", null, SHARE],
      ["provider_pending", taskProvider, -SHARE],
    ],
  );
  const client1 = await balancesOf(orm.em.fork(), clientId);
  assert.equal(client1.available - client0.available, PRICE, "the client got back all it paid");
  const provider1 = await balancesOf(orm.em.fork(), taskProvider);
  assert.equal(provider0.pending - provider1.pending, 2n * SHARE, "the share and the penalty");
  assert.equal(provider1.earnings, provider0.earnings);
  assert.equal((await platformBalance(orm.em.fork(), "platform_fees")) - fees0, SHARE - FEE);
  // The window never releases a forfeited share; the other task's share was the penalty's.
  await store().releaseDue(new Date(Date.now() + 3_600_000));
  assert.deepEqual(kinds(await verdictMovements(id)), ["forfeit", "penalty"]);
  assert.equal((await balancesOf(orm.em.fork(), taskProvider)).pending, 0n);
  assert.deepEqual(
    kinds(await verdictMovements(other)),
    [],
    "nothing pending to release: the penalty took it",
  );
  const [task] = await orm.em
    .fork()
    .execute<{ result: unknown }[]>("select result from tasks where id = ?", [id]);
  assert.deepEqual(task?.result, { answer: "the referee's" });
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("the penalty is capped at what the provider's pending account holds", async () => {
  await store().releaseDue(new Date(Date.now() + 3_600_000));
  assert.equal((await balancesOf(orm.em.fork(), taskProvider)).pending, 0n);
  await completed();
  const id = await completed({ sampled: true });
  await store().checked(id, { agree: false, checkedBy: "node-c", result: {}, verdict: "disagrees" });
  // 3 x the share asked; after the forfeit one share is left pending, so one share is taken.
  await store(3).resolve(id, { referee: "node-r", refereeResult: {}, atFault: "node-t", verdict: "v" });
  const penalty = (await verdictMovements(id)).find((m) => m.kind === "penalty");
  assert.equal(penalty?.legs.find((l) => l.kind === "provider_pending")?.amount, -SHARE);
  assert.equal((await balancesOf(orm.em.fork(), taskProvider)).pending, 0n, "never negative");
  // Nothing pending at all: a forfeit still refunds, and no penalty is written.
  const bare = await completed({ sampled: true });
  await store().checked(bare, { agree: false, checkedBy: "node-c", result: {}, verdict: "disagrees" });
  await store().resolve(bare, { referee: "node-r", refereeResult: {}, atFault: "node-t", verdict: "v" });
  assert.deepEqual(kinds(await verdictMovements(bare)), ["forfeit"]);
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("the checking node at fault: the task's share is released, the checker's provider pays the penalty", async () => {
  await store().releaseDue(new Date(Date.now() + 3_600_000));
  await completed({ node: "node-c", provider: checkProvider }); // the checker's own pending share
  const id = await completed({ sampled: true });
  const task0 = await balancesOf(orm.em.fork(), taskProvider);
  const checker0 = await balancesOf(orm.em.fork(), checkProvider);
  await store().checked(id, { agree: false, checkedBy: "node-c", result: {}, verdict: "disagrees" });
  await store().resolve(id, { referee: "node-r", refereeResult: {}, atFault: "node-c", verdict: "v" });
  const moves = await verdictMovements(id);
  assert.deepEqual(kinds(moves), ["penalty", "release"]);
  assert.deepEqual(
    moves.find((m) => m.kind === "penalty")?.legs.map((l) => [l.kind, l.owner, l.amount]),
    [
      ["platform_fees", null, SHARE],
      ["provider_pending", checkProvider, -SHARE],
    ],
  );
  const task1 = await balancesOf(orm.em.fork(), taskProvider);
  assert.equal(task1.earnings - task0.earnings, SHARE, "the task's node was right: paid");
  assert.equal(task0.pending - task1.pending, SHARE);
  assert.equal(checker0.pending - (await balancesOf(orm.em.fork(), checkProvider)).pending, SHARE);
  const [task] = await orm.em
    .fork()
    .execute<{ result: unknown }[]>("select result from tasks where id = ?", [id]);
  assert.deepEqual(task?.result, { answer: "the task's" }, "its own result kept");
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});

test("a check the client asked for is paid once when drawn, given back when it could not run, free when not drawn", async () => {
  const a0 = (await balancesOf(orm.em.fork(), clientId)).available;
  const drawn = await completed({ verify: true, sampled: true });
  const a1 = (await balancesOf(orm.em.fork(), clientId)).available;
  assert.equal(a0 - a1, 2n * PRICE, "the task and its check");
  assert.equal(await store().abandon(drawn, "the check did not run"), true);
  assert.equal(await store().abandon(drawn, "the check did not run"), false);
  const refund = (await verdictMovements(drawn)).filter((m) => m.kind === "verification_refund");
  assert.deepEqual(
    refund[0]?.legs.map((l) => [l.kind, l.amount]),
    [
      ["client_available", PRICE],
      ["platform_fees", -PRICE],
    ],
  );
  assert.equal(refund.length, 1);
  assert.equal((await balancesOf(orm.em.fork(), clientId)).available, a0 - PRICE);
  const notDrawn = await completed({ verify: true, sampled: false });
  assert.equal((await balancesOf(orm.em.fork(), clientId)).available, a0 - 2n * PRICE, "charged once");
  assert.deepEqual(await verdictMovements(notDrawn), []);
  // A checked one keeps the extra: the check ran.
  const checked = await completed({ verify: true, sampled: true });
  await store().checked(checked, { agree: true, checkedBy: "node-c", result: {}, verdict: "agrees" });
  assert.equal((await balancesOf(orm.em.fork(), clientId)).available, a0 - 4n * PRICE);
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});
