/**
 * A submit whose task starts here waits for its answer (answer-wait.ts): the task is held first
 * — its call goes out only once the hold is stored — then run and captured by the one runner,
 * and the submit answers COMPLETED with its result; a task slower than the wait is answered
 * QUEUED and completes on its own. Real PostgreSQL, Redis and BullMQ; the cluster is a fake
 * deployment.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { DeploymentCallOptions } from "@neurogrid/cluster";
import { Account, LedgerTransaction, LedgerTxKind, Task } from "../db/entities/index.js";
import { checkLedger } from "../ledger/check.js";
import { FEATURES, finishedTask, MLP_OUTPUTS, seededDatabase } from "../testing/dispatcher-fixture.js";
import { fakeDeploymentDispatcher } from "../testing/fake-deployment-dispatcher.js";
import { AnswerWait } from "./answer-wait.js";
import { submitTask } from "./submit-task.js";

const NODE = "answer-node";
const db = seededDatabase([NODE]);

test("a task started here is held before its call, and its submit answers COMPLETED; a slower one is answered QUEUED", async () => {
  let delayMs = 0;
  const heldAtCall: boolean[] = [];
  const d = fakeDeploymentDispatcher(db.orm(), {
    label: "answer",
    nodeId: NODE,
    taskTimeoutMs: 10_000,
    concurrency: 2,
    call: async <T>(_method: string, _args: unknown, opts: DeploymentCallOptions = {}) => {
      const holds = await db
        .orm()
        .em.fork()
        .count(LedgerTransaction, { taskId: opts.traceId ?? "", kind: LedgerTxKind.HOLD });
      heldAtCall.push(holds === 1);
      await new Promise((r) => setTimeout(r, delayMs));
      return { outputs: MLP_OUTPUTS, executionProvider: "cpu", inferenceMs: 1 } as T;
    },
  });
  try {
    await d.dispatcher.start();
    const account = await db.orm().em.fork().findOneOrFail(Account, db.fx().clientId);
    const deps = {
      queue: d.queue,
      store: d.store,
      local: d.dispatcher.local,
      answers: new AnswerWait(2_000),
    };
    const submit = () =>
      submitTask(db.orm().em.fork(), deps, account.id, { model: "mlp-classifier", input: FEATURES });
    // The model's first task goes through the queue (no deployment at hand yet): not waited for.
    const first = await submit();
    assert.equal(first.status, "QUEUED");
    assert.equal((await finishedTask(db.orm(), first.id)).status, "COMPLETED");

    const answered = await submit();
    assert.equal(answered.status, "COMPLETED", "answered with its result");
    assert.deepEqual(answered.result, MLP_OUTPUTS);
    const stored = await finishedTask(db.orm(), answered.id);
    assert.equal(stored.status, "COMPLETED");
    assert.equal(stored.cost, answered.cost, "the answer's cost is the stored one");
    assert.equal(stored.providerEarning, answered.providerEarning);
    assert.deepEqual(heldAtCall, [true, true], "every call went out for a task already held");

    // Slower than the wait, lately: the next submits are not waited for.
    const slow = new AnswerWait(20);
    delayMs = 200;
    const slowDeps = { ...deps, answers: slow };
    const late = await submitTask(db.orm().em.fork(), slowDeps, account.id, {
      model: "mlp-classifier",
      input: FEATURES,
    });
    assert.equal(late.status, "QUEUED", "not settled within the wait");
    assert.equal((await finishedTask(db.orm(), late.id)).status, "COMPLETED");
    const skipped = await submitTask(db.orm().em.fork(), slowDeps, account.id, {
      model: "mlp-classifier",
      input: FEATURES,
    });
    assert.equal(skipped.status, "QUEUED");
    const atAnswer = await db.orm().em.fork().findOneOrFail(Task, skipped.id);
    assert.ok(!atAnswer.finishedAt, "answered while its call still ran");
    assert.equal((await finishedTask(db.orm(), skipped.id)).status, "COMPLETED");
    assert.ok(heldAtCall.every(Boolean));
    assert.equal((await checkLedger(db.orm().em.fork())).ok, true);
  } finally {
    await d.close();
  }
});
