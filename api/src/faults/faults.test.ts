/**
 * The fault run's short form (real processes, see fault-scenario.ts): a small load of tasks
 * submitted over GraphQL while every fault kind strikes once, in an order drawn from the seed
 * (FAULTS_SEED replays a run; the seed and the schedule are printed first): the head killed -9,
 * PostgreSQL stopped 5 s, Redis restarted empty, a worker paused past its death timeout, the
 * connections to the head cut mid-call, a worker cut off for 10 s (its network namespace's link
 * taken down, where the machine allows namespaces: as root with iproute2; else its link to the
 * head through a proxy). Afterwards, from the database: every task final and
 * only once, none charged twice, each settled as its state says, balances and ledger right, every
 * live actor adopted by a restarted head, and no answer of a fenced (stale) actor charged.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { randomSeed } from "../chaos/prng.js";
import { faultFailures } from "./fault-report.js";
import { runFaults } from "./fault-scenario.js";
import { FAULT_KINDS } from "./fault-schedule.js";
import { netnsAvailable } from "./netns-links.js";

const tasks = Number(process.env.FAULTS_TASKS ?? 120);
const seed = process.env.FAULTS_SEED === undefined ? randomSeed() : Number(process.env.FAULTS_SEED) >>> 0;

test(`${tasks} tasks while every fault kind strikes once: nothing lost, nothing charged twice`, {
  timeout: 175_000,
}, async (t) => {
  const report = await runFaults({
    tasks,
    seed,
    faults: FAULT_KINDS.length,
    baseEnv: process.env,
    deadlineMs: 150_000,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  t.diagnostic(JSON.stringify(report));
  assert.deepEqual(report.faultKinds, [...FAULT_KINDS], "every fault kind struck");
  assert.equal(report.faults, FAULT_KINDS.length, "once each");
  assert.equal(
    report.partitionVia,
    (await netnsAvailable()) ? "netns" : "proxy",
    "workers ran in network namespaces of the run's own wherever the machine allows them",
  );
  assert.equal(report.rejected, 0, "every submission was answered with a task");
  assert.equal(
    report.retriedCodes.INTERNAL_SERVER_ERROR ?? 0,
    0,
    "while PostgreSQL or Redis was away the api answered UNAVAILABLE, not an internal error",
  );
  assert.equal(report.duplicateKeys, 0, "no idempotency key has two tasks");
  assert.equal(report.wrongTaskIds, 0, "a retried submission got the same task back");
  assert.equal(report.lost, 0, `no task lost (seed ${seed})`);
  assert.equal(report.finished, tasks, "every task reached a final state");
  assert.equal(report.chargedTwice, 0, "no task captured or refunded twice, or both");
  assert.equal(report.unsettled, 0, "COMPLETED captured once, FAILED or CANCELLED refunded once");
  assert.equal(report.holdErrors, 0, "every task held its escrow exactly once");
  assert.ok(
    report.balancesMatch,
    `balances equal deposits less captures: ${(report.balanceErrors ?? []).join("; ")}`,
  );
  assert.ok(report.ledgerBalanced, `ledger check: ${report.ledgerErrors ?? ""}`);
  assert.deepEqual(faultFailures(report, FAULT_KINDS.length), []);
  // The head's storage writes its tables back to a Redis that came back empty
  // (cluster/src/head/redis-storage.ts), and a node's actors are fenced once it has not heard
  // from the head for the head's death timeout (cluster/src/runtime/actor-fence.ts).
  assert.equal(report.actorsNotAdopted, 0, "a restarted head adopts every live actor");
  assert.equal(report.staleAnswers, 0, "no answer of a paused or cut-off node's old actors is charged");
});
