#!/usr/bin/env node
import { parseArgs } from "node:util";
import { randomSeed } from "../chaos/prng.js";
import { faultFailures } from "./fault-report.js";
import { runFaults } from "./fault-scenario.js";
import { FAULT_KINDS } from "./fault-schedule.js";

/**
 * `npm run faults [-- --json] [--tasks N] [--seed S] [--faults F] [--no-netns] [--verbose]`: the
 * fault run (see fault-scenario.ts); --no-netns keeps the workers on loopback (a partition then
 * cuts a TCP proxy instead of a network namespace's link). 1,000 tasks and 8 faults unless told; the seed and the schedule are
 * printed first, and `--seed S` replays the same schedule. With --json the last line is one JSON
 * object (the report). Exits 1 when an invariant fails, 2 when the run could not be carried
 * out. The run starts its own PostgreSQL and Redis; nothing else is needed.
 */
const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    tasks: { type: "string", default: "1000" },
    seed: { type: "string" },
    faults: { type: "string", default: "8" },
    clients: { type: "string", default: "4" },
    verbose: { type: "boolean", default: false },
    "no-netns": { type: "boolean", default: false },
  },
});

const positive = (flag: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`faults: --${flag} must be a positive integer\n`);
    process.exit(2);
  }
  return n;
};
const tasks = positive("tasks", values.tasks);
const faults = Math.max(FAULT_KINDS.length, positive("faults", values.faults));
const clients = positive("clients", values.clients);
const seed = values.seed === undefined ? randomSeed() : Number(values.seed) >>> 0;

const log = (line: string) => process.stdout.write(`${line}\n`);
const abort = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`faults: ${signal}: stopping the run and cleaning up`);
    abort.abort();
  });
}

try {
  const report = await runFaults({
    tasks,
    seed,
    faults,
    clients,
    netns: !values["no-netns"],
    baseEnv: process.env,
    log,
    signal: abort.signal,
    deadlineMs: 120_000 + faults * 20_000 + tasks * 60,
    ...(values.verbose ? { echo: (name: string, line: string) => log(`[${name}] ${line}`) } : {}),
  });
  const failures = faultFailures(report, faults);
  log(
    `faults: ${report.tasks} tasks, ${report.finished} finished (${report.completed} completed, ` +
      `${report.failed} failed, ${report.cancelled} cancelled), ${report.lost} lost, ` +
      `${report.chargedTwice} charged twice, ${report.staleAnswers} stale answers, ` +
      `${report.actorsNotAdopted} live actors not adopted, ${report.faults} faults ` +
      `(${report.faultKinds.join(", ")}), ledger ${report.ledgerBalanced ? "balanced" : "NOT balanced"}, ` +
      `${report.durationS} s (seed ${seed})`,
  );
  for (const f of failures) log(`faults: FAILED: ${f}`);
  if (failures.length === 0) log("faults: every invariant holds");
  else
    log(
      `faults: replay: npm run faults -- --seed ${seed} --tasks ${tasks} --faults ${faults} --clients ${clients}`,
    );
  if (values.json) log(JSON.stringify(report));
  process.exit(failures.length === 0 ? 0 : 1);
} catch (err) {
  log(`faults: the run could not be carried out: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
  if (values.json)
    log(JSON.stringify({ seed, tasks, error: err instanceof Error ? err.message : String(err) }));
  process.exit(2);
}
