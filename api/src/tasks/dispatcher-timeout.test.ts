/**
 * The dispatcher when a model call runs out of time: the task fails for good (no retry: its
 * budget is spent) and pays for what ran — price x min(runtime, timeout) for a per-millisecond
 * model — with the provider credited and the rest of the escrow released. Real PostgreSQL,
 * Redis and BullMQ; the cluster is a fake deployment whose replica never answers in time.
 */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { ClusterError } from "@neurogrid/cluster";
import { Account } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { seedFixture } from "../e2e/fixture.js";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { finishedTask } from "../testing/dispatcher-fixture.js";
import { fakeDeploymentDispatcher } from "../testing/fake-deployment-dispatcher.js";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.js";
import { submitTask } from "./submit-task.js";

const TIMEOUT_MS = 5000;
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

test("a call that times out fails the task for good and charges price x min(runtime, timeout)", async () => {
  const fx = await seedFixture(orm, ["slow-node"], 10_000_000n);
  await orm.em
    .fork()
    .execute(
      `update models set manifest = jsonb_set(manifest, '{pricing}', '{"unit":"compute_ms","price":"100","maxUnits":30000}') where name = 'mlp-classifier'`,
    );
  let calls = 0;
  // A deployment whose only replica never answers in time.
  const { dispatcher, queue, store, close } = fakeDeploymentDispatcher(orm, {
    label: "timeout",
    nodeId: "slow-node",
    taskTimeoutMs: TIMEOUT_MS,
    call: async () => {
      calls++;
      throw new ClusterError("DEADLINE_EXCEEDED", `no answer within ${TIMEOUT_MS} ms`);
    },
  });
  try {
    await dispatcher.start();
    const em = orm.em.fork();
    const account = await em.findOneOrFail(Account, fx.clientId);
    const task = await submitTask(em, { queue, store }, account.id, {
      model: "mlp-classifier",
      input: { features: [Array.from({ length: 16 }, () => 1)] },
    });
    const final = await finishedTask(orm, task.id);
    assert.equal(final.status, "FAILED");
    assert.match(final.error ?? "", /timed out after 5000 ms/);
    assert.equal(final.units, 5000n, "the timeout's milliseconds");
    assert.equal(final.cost, 500_000n, "100 per ms x 5000 ms, not the 3,000,000 escrow");
    assert.equal(calls, 1, "not retried: the budget is spent");
    const client = await balancesOf(orm.em.fork(), fx.clientId);
    assert.equal(client.held, 0n);
    assert.equal(client.available, 10_000_000n - 500_000n);
    assert.equal(
      (await balancesOf(orm.em.fork(), fx.providerId)).pending,
      450_000n,
      "provider credited (pending until released), less the 10% fee",
    );
    assert.equal((await checkLedger(orm.em.fork())).ok, true);
  } finally {
    await close();
  }
});
