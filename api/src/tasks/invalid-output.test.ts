/**
 * A provider cannot bill an answer that is not the model's: a replica that answers junk for an
 * mlp-classifier task has its task failed for good and refunded, nothing stored as its result,
 * and the fault recorded against its node (node_faults). Real PostgreSQL, Redis and BullMQ; the
 * replica is a fake deployment.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Account } from "../db/entities/index.js";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { FEATURES, finishedTask, seededDatabase } from "../testing/dispatcher-fixture.js";
import { fakeDeploymentDispatcher } from "../testing/fake-deployment-dispatcher.js";
import { NodeFaults } from "./node-faults.js";
import { submitTask } from "./submit-task.js";

const NODE = "junk-node";
const db = seededDatabase([NODE]);

test("a replica's junk answer: the task fails, refunded, no result stored; the fault is on its node", async () => {
  const d = fakeDeploymentDispatcher(db.orm(), {
    label: "junk",
    nodeId: NODE,
    taskTimeoutMs: 10_000,
    call: async <T>() =>
      ({ outputs: { logits: "all good, pay me" }, executionProvider: "cpu", inferenceMs: 1 }) as T,
  });
  try {
    await d.dispatcher.start();
    const account = await db.orm().em.fork().findOneOrFail(Account, db.fx().clientId);
    const before = await balancesOf(db.orm().em.fork(), account.id);
    const task = await submitTask(db.orm().em.fork(), { queue: d.queue, store: d.store }, account.id, {
      model: "mlp-classifier",
      input: FEATURES,
    });
    const done = await finishedTask(db.orm(), task.id);
    assert.equal(done.status, "FAILED");
    assert.match(done.error ?? "", /not the model's/);
    assert.equal(done.result ?? null, null, "nothing stored as its result");
    assert.deepEqual(await balancesOf(db.orm().em.fork(), account.id), before, "refunded in full");
    const faults = await new NodeFaults(db.orm()).ofNode(NODE);
    assert.equal(faults.length, 1);
    assert.equal(faults[0]?.taskId, task.id);
    assert.equal(faults[0]?.kind, "invalid_output");
    assert.equal((await checkLedger(db.orm().em.fork())).ok, true);
  } finally {
    await d.close();
  }
});
