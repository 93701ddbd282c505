/**
 * A single submit's hold chosen by PostgreSQL to break a deadlock is tried again (submit-task.ts
 * isDeadlock). The deadlock is made on purpose: another transaction holds a task row with the
 * same idempotency key (as a batch's hold does before it locks the client's accounts), the
 * single hold locks the accounts and waits on that key, then the other transaction asks for
 * the accounts. The waiter that detects the cycle, the single hold, is the one aborted.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { Account, Model, Task } from "../db/entities/index.js";
import { clientAccounts } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import {
  aStatementWaitsOnALock,
  FEATURES,
  MLP_OUTPUTS,
  seededDatabase,
} from "../testing/dispatcher-fixture.js";
import { fakeDeploymentDispatcher } from "../testing/fake-deployment-dispatcher.js";
import { submitTask } from "./submit-task.js";

const db = seededDatabase(["deadlock-node"]);

test("a hold aborted to break a deadlock is tried again, and the task is written once", async () => {
  const orm = db.orm();
  const d = fakeDeploymentDispatcher(orm, {
    label: "deadlock",
    nodeId: "deadlock-node",
    taskTimeoutMs: 10_000,
    call: async <T>() => ({ outputs: MLP_OUTPUTS, executionProvider: "cpu", inferenceMs: 1 }) as T,
  });
  const knex = orm.em.getConnection().getKnex();
  const other = await knex.transaction();
  try {
    const account = await orm.em.fork().findOneOrFail(Account, db.fx().clientId);
    const model = await orm.em.fork().findOneOrFail(Model, { name: "mlp-classifier" });
    const accounts = await clientAccounts(orm.em.fork(), account.id);
    await other.raw(
      `insert into tasks (id, account_id, model_id, idempotency_key, priority, status, input, max_price, attempts, created_at)
       values (?, ?, ?, 'same-key', 0, 'QUEUED', '{}', 0, 0, now())`,
      [randomUUID(), account.id, model.id],
    );
    const submitted = submitTask(orm.em.fork(), { queue: d.queue, store: d.store }, account.id, {
      model: "mlp-classifier",
      input: FEATURES,
      idempotencyKey: "same-key",
    });
    await aStatementWaitsOnALock(orm); // the hold has locked the accounts and waits on the key
    // Waits on the hold's locks: a cycle. PostgreSQL aborts the hold (it waited first).
    await other.raw("select id from ledger_accounts where id in (?, ?) order by id for update", [
      accounts.available,
      accounts.held,
    ]);
    await other.rollback();
    const task = await submitted;
    assert.equal(task.idempotencyKey, "same-key");
    const rows = await orm.em.fork().find(Task, { account: account.id, idempotencyKey: "same-key" });
    assert.deepEqual(
      rows.map((t) => t.id),
      [task.id],
      "written once, by the second try",
    );
    assert.equal((await checkLedger(orm.em.fork())).ok, true);
  } finally {
    if (!other.isCompleted()) await other.rollback();
    await d.close();
  }
});
