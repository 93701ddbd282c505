#!/usr/bin/env node
import { parseArgs } from "node:util";
import { testRedisUrl } from "../testing/test-database.js";
import { chaosFailures } from "./chaos-report.js";
import { runChaos } from "./chaos-scenario.js";
import { randomSeed } from "./prng.js";

/**
 * `npm run chaos [-- --json] [--tasks N] [--seed S] [--verbose]`: the chaos scenario on its own
 * (see chaos-scenario.ts; --clients, --concurrency, --rate and --dispatcher-concurrency override
 * its defaults). Prints progress; with --json its last line is one JSON object (the
 * report). Exits 1 when an invariant fails, 2 when the run itself could not be carried out.
 * PostgreSQL is DATABASE_URL (or TEST_DATABASE_URL), Redis is REDIS_URL; CHAOS_TASKS and
 * CHAOS_SEED stand in for --tasks and --seed.
 */
const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    tasks: { type: "string" },
    seed: { type: "string" },
    verbose: { type: "boolean", default: false },
    clients: { type: "string" },
    concurrency: { type: "string" },
    rate: { type: "string" },
    "dispatcher-concurrency": { type: "string" },
  },
});

const optional = (key: string, flag: string) => {
  const text = values[flag as keyof typeof values];
  if (typeof text !== "string") return {};
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`chaos: --${flag} must be a positive number\n`);
    process.exit(2);
  }
  return { [key]: n };
};

const tasks = Number(values.tasks ?? process.env.CHAOS_TASKS ?? 1000);
const seedText = values.seed ?? process.env.CHAOS_SEED;
const seed = seedText === undefined ? randomSeed() : Number(seedText) >>> 0;
if (!Number.isInteger(tasks) || tasks < 1) {
  process.stderr.write("chaos: --tasks must be a positive integer\n");
  process.exit(2);
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const abort = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`chaos: ${signal}: stopping the run and cleaning up`);
    abort.abort();
  });
}

try {
  const report = await runChaos({
    tasks,
    seed,
    redisUrl: testRedisUrl(process.env),
    baseEnv: process.env,
    log,
    signal: abort.signal,
    ...optional("clients", "clients"),
    ...optional("concurrency", "concurrency"),
    ...optional("ratePerS", "rate"),
    ...optional("dispatcherConcurrency", "dispatcher-concurrency"),
    ...(values.verbose ? { echo: (name: string, line: string) => log(`[${name}] ${line}`) } : {}),
  });
  const failures = chaosFailures(report);
  log(
    `chaos: ${report.tasks} tasks, ${report.finished} finished (${report.completed} completed, ` +
      `${report.failed} failed, ${report.cancelled} cancelled), ${report.lost} lost, ` +
      `${report.chargedTwice} charged twice, ${report.kills} kills, ledger ` +
      `${report.ledgerBalanced ? "balanced" : "NOT balanced"}, ${report.durationS} s (seed ${seed})`,
  );
  for (const f of failures) log(`chaos: FAILED: ${f}`);
  if (failures.length === 0) log("chaos: every invariant holds");
  if (values.json) log(JSON.stringify(report));
  process.exit(failures.length === 0 ? 0 : 1);
} catch (err) {
  log(`chaos: the run could not be carried out: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
  if (values.json)
    log(JSON.stringify({ seed, tasks, error: err instanceof Error ? err.message : String(err) }));
  process.exit(2);
}
