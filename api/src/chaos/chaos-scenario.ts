import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { MikroORM } from "@mikro-orm/postgresql";
import { ClusterClient } from "@neurogrid/cluster";
import { Redis } from "ioredis";
import { migrate, openOrm } from "../db/orm.js";
import { CLI } from "../testing/local-cluster.js";
import { createTestDatabase, uniquePrefix } from "../testing/test-database.js";
import { seedChaosAccounts } from "./chaos-accounts.js";
import { describeOpenTasks } from "./chaos-diagnose.js";
import { checkInvariants } from "./chaos-invariants.js";
import { type KillRecord, runMonkey } from "./chaos-monkey.js";
import { ChaosProcesses } from "./chaos-processes.js";
import { type ChaosReport, chaosFailures, toReport } from "./chaos-report.js";
import { Submitters } from "./chaos-submitters.js";
import { prng } from "./prng.js";

/**
 * The chaos scenario, shared by the node:test file and `npm run chaos`: real processes only.
 *
 *   PostgreSQL (a fresh database) + Redis (a fresh prefix)
 *   head, two workers (nodes owned by a seeded provider), one api with its own dispatcher (the
 *   tasks it accepts may start in it: killing it kills those attempts, whose leases expire and
 *   whose tasks the recovery sweep gives jobs), one `neurogrid dispatcher`; clients with deposits that cover all their tasks
 *   -> N tasks submitted over GraphQL HTTP by concurrent clients (chaos-submitters.ts)
 *   -> meanwhile kill -9 a worker, the dispatcher, the api, each restarted (chaos-monkey.ts)
 *   -> wait until every task is final (or the deadline)
 *   -> check the invariants from the database (chaos-invariants.ts)
 *
 * Timeouts are short so a run is quick: a dead dispatcher's jobs are taken over after the job
 * lock (3 s), a dead node is seen after 2 s without heartbeats, and a task has 8 attempts so
 * the errors of a crash are retried. Everything started is stopped, the database dropped and
 * the Redis keys deleted, whatever happens.
 */
export interface ChaosOptions {
  tasks: number;
  seed: number;
  redisUrl: string;
  /** The environment child processes start from. */
  baseEnv: NodeJS.ProcessEnv;
  clients?: number;
  /** Concurrent submissions. */
  concurrency?: number;
  /** Pace of submissions (tasks per second); by default they are spread over submitSpanS. */
  ratePerS?: number;
  /** The dispatcher process's concurrency (BullMQ worker); the product default when unset. */
  dispatcherConcurrency?: number;
  /** The whole run (setup, submissions, waiting for final states) must end within this. */
  deadlineMs?: number;
  /** Aborting ends the run early (submissions, kills, waiting), and still cleans up. */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** Every line the child processes print (verbose runs). */
  echo?: (name: string, line: string) => void;
}

const CHAOS_DEFAULTS = {
  clients: 4,
  concurrency: 32,
  /** Submissions are spread over this many seconds (unless ratePerS is given). */
  submitSpanS: 20,
  deadlineMs: 150_000,
} as const;

/** Short timeouts for a quick run (see the header). */
const CHAOS_TIMEOUTS = {
  jobLockMs: 3000,
  heartbeatTimeoutMs: 2000,
  taskAttempts: 8,
  taskTimeoutMs: 10_000,
} as const;

const CHAOS_MODEL = "mlp-classifier";
const NODE_IDS = ["chaos-node-1", "chaos-node-2"];
/** Well beyond a task's 8 attempts with their backoff (about 25 s) and a few job locks. */
const STALL_MS = 60_000;

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => {});
  const startedAt = Date.now();
  const deadlineAt = startedAt + (o.deadlineMs ?? CHAOS_DEFAULTS.deadlineMs);
  const clients = Math.max(1, Math.min(o.clients ?? CHAOS_DEFAULTS.clients, o.tasks));
  log(`chaos: seed ${o.seed}, ${o.tasks} tasks from ${clients} clients`);
  const rng = prng(o.seed);
  const db = await createTestDatabase();
  const prefix = uniquePrefix("chaos");
  let orm: MikroORM | undefined;
  let processes: ChaosProcesses | undefined;
  let cluster: ClusterClient | undefined;
  let submitters: Submitters | undefined;
  let ticker: NodeJS.Timeout | undefined;
  try {
    orm = await openOrm(db.url);
    await migrate(orm);
    const tasksPerClient = Array.from({ length: clients }, (_, c) => Math.ceil((o.tasks - c) / clients));
    const accounts = await seedChaosAccounts(orm, { model: CHAOS_MODEL, nodeIds: NODE_IDS, tasksPerClient });
    processes = new ChaosProcesses({
      cli: CLI,
      baseEnv: o.baseEnv,
      databaseUrl: db.url,
      redisUrl: o.redisUrl,
      redisPrefix: prefix,
      jwtSecret: randomBytes(32).toString("hex"),
      nodeIds: NODE_IDS,
      ...CHAOS_TIMEOUTS,
      ...(o.dispatcherConcurrency ? { dispatcherConcurrency: o.dispatcherConcurrency } : {}),
      ...(o.echo ? { echo: o.echo } : {}),
    });
    await processes.start();
    const running = processes;
    log(`chaos: head, ${NODE_IDS.length} workers, api and dispatcher up in ${since(startedAt)} s`);
    cluster = new ClusterClient({ headAddress: running.headAddress });

    const keys = Array.from({ length: o.tasks }, (_, i) => `chaos-${o.seed}-${i}`);
    const subs = new Submitters({
      url: () => running.apiUrl,
      clients: accounts.clients,
      keys,
      model: CHAOS_MODEL,
      concurrency: o.concurrency ?? CHAOS_DEFAULTS.concurrency,
      ratePerS: o.ratePerS ?? o.tasks / CHAOS_DEFAULTS.submitSpanS,
      deadlineAt,
    });
    submitters = subs;
    o.signal?.addEventListener("abort", () => subs.stop());
    const over = () => Date.now() > deadlineAt || o.signal?.aborted === true;
    const dbOrm = orm;
    ticker = setInterval(() => void progress(dbOrm, subs, o.tasks, startedAt).then(log, () => {}), 2000);
    ticker.unref();
    const [outcome, kills] = await Promise.all([
      subs.run(),
      runMonkey({
        rng,
        processes: running,
        cluster,
        nodeIds: NODE_IDS,
        tasks: o.tasks,
        startedAt,
        answered: () => subs.answered,
        over,
        log,
      }),
    ]);
    log(`chaos: all ${o.tasks} submissions answered in ${since(startedAt)} s (${subs.retries} retried)`);
    await untilAllFinal(orm, outcome.taskIds.size, over, log);
    clearInterval(ticker);
    const invariants = await checkInvariants(orm, {
      keys,
      clients: accounts.clients,
      answered: outcome.taskIds,
    });
    const report = toReport({
      seed: o.seed,
      tasks: o.tasks,
      invariants,
      kills,
      rejected: outcome.rejected.size,
      submitRetries: outcome.retries,
      durationS: Number(since(startedAt)),
    });
    if (chaosFailures(report).length > 0) {
      logTails(log, running, kills);
      const open = await describeOpenTasks(orm, {
        redisUrl: o.redisUrl,
        bullPrefix: `${prefix}:bull`,
        startedAt,
      });
      for (const line of open) log(`chaos: open: ${line}`);
    }
    return report;
  } finally {
    clearInterval(ticker);
    submitters?.stop();
    cluster?.close();
    // Each step runs even if one before it failed: no process, database or key is left behind.
    const cleanup = async (what: string, step: () => Promise<void> | undefined) => {
      try {
        await step();
      } catch (err) {
        log(`chaos: cleanup (${what}) failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    await cleanup("processes", () => processes?.stopAll());
    await cleanup("orm", () => orm?.close());
    await cleanup("database", () => db.drop());
    await cleanup("redis", () => deleteKeys(o.redisUrl, prefix));
  }
}

const since = (t: number) => ((Date.now() - t) / 1000).toFixed(1);

async function progress(orm: MikroORM, subs: Submitters, tasks: number, startedAt: number): Promise<string> {
  const [row] = await orm.em.fork().execute<{ completed: string; failed: string; open: string }[]>(
    `select count(*) filter (where status = 'COMPLETED') as completed,
              count(*) filter (where status in ('FAILED', 'CANCELLED')) as failed,
              count(*) filter (where status in ('QUEUED', 'SCHEDULED', 'RUNNING')) as open from tasks`,
  );
  return `chaos: ${since(startedAt)} s: ${subs.answered}/${tasks} submitted, ${row?.completed} completed, ${row?.failed} failed, ${row?.open} open`;
}

/**
 * Until every task in the database is final and there are as many as were answered; or the run
 * is over; or no task has become final for STALL_MS (a task that nothing will ever run again
 * would otherwise hold the run until its deadline).
 */
async function untilAllFinal(
  orm: MikroORM,
  expected: number,
  over: () => boolean,
  log: (line: string) => void,
): Promise<void> {
  let lastOpen = Number.POSITIVE_INFINITY;
  let lastChange = Date.now();
  while (!over()) {
    const [row] = await orm.em.fork().execute<{ total: string; open: string }[]>(
      `select count(*) as total,
              count(*) filter (where status in ('QUEUED', 'SCHEDULED', 'RUNNING')) as open from tasks`,
    );
    const open = Number(row?.open);
    if (open === 0 && Number(row?.total) >= expected) return;
    if (open < lastOpen) [lastOpen, lastChange] = [open, Date.now()];
    if (Date.now() - lastChange > STALL_MS) {
      log(`chaos: no task became final for ${STALL_MS / 1000} s; ${open} still open`);
      return;
    }
    await sleep(250);
  }
}

function logTails(log: (line: string) => void, processes: ChaosProcesses, kills: KillRecord[]): void {
  for (const name of new Set(["dispatcher", "api", ...kills.map((k) => k.target)])) {
    const tail = processes.tail(name);
    if (tail) log(`--- last lines of ${name} ---\n${tail}`);
  }
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
