/**
 * The chaos test (real processes, see chaos-scenario.ts): CHAOS_TASKS tasks (1,000 by default)
 * submitted by concurrent clients while a worker, then the dispatcher process, then the api
 * process are killed with SIGKILL at random moments and restarted. CHAOS_SEED replays a run
 * (the seed is printed first). Afterwards, from the database: every task final and only once,
 * none charged twice, every client balance equal to its deposits less its captured prices, and
 * the ledger check passes.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { testRedisUrl } from "../testing/test-database.js";
import { chaosFailures, EXPECTED_KILLS } from "./chaos-report.js";
import { runChaos } from "./chaos-scenario.js";
import { randomSeed } from "./prng.js";

const tasks = Number(process.env.CHAOS_TASKS ?? 1000);
const seed = process.env.CHAOS_SEED === undefined ? randomSeed() : Number(process.env.CHAOS_SEED) >>> 0;

test(`${tasks} tasks while a worker, the dispatcher and the api are killed -9: nothing lost, nothing charged twice`, {
  timeout: 175_000,
}, async (t) => {
  const report = await runChaos({
    tasks,
    seed,
    redisUrl: testRedisUrl(process.env),
    baseEnv: process.env,
    deadlineMs: 150_000,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  t.diagnostic(JSON.stringify(report));
  assert.equal(report.kills, EXPECTED_KILLS, "a worker, the dispatcher and the api were each killed once");
  assert.equal(report.rejected, 0, "every submission was answered with a task");
  assert.equal(report.duplicateKeys, 0, "no idempotency key has two tasks");
  assert.equal(report.strayTasks, 0, "no task appeared under a key nobody submitted");
  assert.equal(report.wrongTaskIds, 0, "a retried submission got the same task back");
  assert.equal(report.lost, 0, `no task lost (seed ${seed})`);
  assert.equal(report.finished, tasks, "every task reached a final state");
  assert.equal(report.completed + report.failed + report.cancelled, tasks, "one final state per task");
  assert.equal(report.chargedTwice, 0, "no task captured or refunded twice, or both");
  assert.equal(report.unsettled, 0, "every final task has its capture or refund");
  assert.equal(report.holdErrors, 0, "every task held its escrow exactly once");
  assert.ok(report.balancesMatch, `balances: ${(report.balanceErrors ?? []).join("; ")}`);
  assert.ok(report.ledgerBalanced, `ledger check: ${report.ledgerErrors ?? ""}`);
  assert.deepEqual(chaosFailures(report), []);
});
