import { randomBytes } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import { ClusterClient, mintCredential } from "@neurogrid/cluster";
import { Redis } from "ioredis";
import { migrate, openOrm } from "../db/orm.js";
import { CLI } from "../testing/local-cluster.js";
import { createTestDatabase, uniquePrefix } from "../testing/test-database.js";
import { seedChaosAccounts } from "./chaos-accounts.js";
import { describeOpenTasks, describeUnsettledTasks } from "./chaos-diagnose.js";
import { checkInvariants, type Invariants } from "./chaos-invariants.js";
import { type KillRecord, runMonkey } from "./chaos-monkey.js";
import { ChaosProcesses, type ChaosProcessSettings } from "./chaos-processes.js";
import { progress, since, untilAllFinal } from "./chaos-progress.js";
import { type ChaosReport, toReport } from "./chaos-report.js";
import { Submitters } from "./chaos-submitters.js";
import { type Prng, prng } from "./prng.js";

/**
 * The chaos scenario, shared by the node:test file and `npm run chaos`: real processes only.
 *
 *   PostgreSQL (a fresh database) + Redis (a fresh prefix)
 *   head, two workers (nodes owned by a seeded provider), one api with its own dispatcher (the
 *   tasks it accepts may start in it: killing it kills those attempts, whose leases expire and
 *   whose tasks the recovery sweep gives jobs), one `neurogrid dispatcher`; clients with deposits that cover all their tasks
 *   -> N tasks submitted over GraphQL HTTP by concurrent clients (chaos-submitters.ts)
 *   -> meanwhile kill -9 a worker, the dispatcher, the api, each restarted (chaos-monkey.ts);
 *      runScenario takes any other Disruption instead (the fault run: faults/fault-scenario.ts)
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
/** The workers' node ids. */
export const CHAOS_NODE_IDS = ["chaos-node-1", "chaos-node-2"];

/** What disrupts a run while tasks flow: the chaos monkey, or the fault run's schedule. */
export interface Disruption<R> {
  /** The database the run uses instead of a fresh one on DATABASE_URL's server. */
  databaseUrl?: string;
  /** More settings for the processes (a head on Redis storage, a proxy in front of it). */
  processes?: Partial<ChaosProcessSettings>;
  /** Submissions are spread over this many seconds unless ratePerS is given. */
  submitSpanS?: number;
  /** Runs beside the submissions; what it did, one record per disruption. */
  run(ctx: DisruptionContext): Promise<R[]>;
  /** Process names whose last lines are printed when an invariant fails. */
  suspects(records: R[]): string[];
}

export interface DisruptionContext {
  rng: Prng;
  processes: ChaosProcesses;
  cluster: ClusterClient;
  nodeIds: string[];
  tasks: number;
  startedAt: number;
  answered: () => number;
  over: () => boolean;
  log: (line: string) => void;
}

/** A run's raw result: the invariants, the disruptions' records, and the submissions' outcome. */
export interface ScenarioResult<R> {
  invariants: Invariants;
  records: R[];
  rejected: number;
  submitRetries: number;
  /** The retried submissions' answers by error code. */
  retriedCodes: Record<string, number>;
  durationS: number;
  /** Read from the database before it is dropped (e.g. answers given after a fence). */
  extra: number;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const monkey: Disruption<KillRecord> = {
    run: (ctx) => runMonkey(ctx),
    suspects: (kills) => ["dispatcher", "api", ...kills.map((k) => k.target)],
  };
  const r = await runScenario(o, monkey);
  return toReport({
    seed: o.seed,
    tasks: o.tasks,
    invariants: r.invariants,
    kills: r.records,
    rejected: r.rejected,
    submitRetries: r.submitRetries,
    durationS: r.durationS,
  });
}

/**
 * The scenario with any disruption; `inspect` reads what else the caller needs from the database
 * after the invariants (before the database is dropped).
 */
export async function runScenario<R>(
  o: ChaosOptions,
  disruption: Disruption<R>,
  inspect?: (orm: MikroORM, records: R[]) => Promise<number>,
): Promise<ScenarioResult<R>> {
  const log = o.log ?? (() => {});
  const startedAt = Date.now();
  const deadlineAt = startedAt + (o.deadlineMs ?? CHAOS_DEFAULTS.deadlineMs);
  const clients = Math.max(1, Math.min(o.clients ?? CHAOS_DEFAULTS.clients, o.tasks));
  log(`chaos: seed ${o.seed}, ${o.tasks} tasks from ${clients} clients`);
  const rng = prng(o.seed);
  const db = disruption.databaseUrl
    ? { url: disruption.databaseUrl, drop: async () => {} }
    : await createTestDatabase();
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
    const accounts = await seedChaosAccounts(orm, {
      model: CHAOS_MODEL,
      nodeIds: CHAOS_NODE_IDS,
      tasksPerClient,
    });
    processes = new ChaosProcesses({
      cli: CLI,
      baseEnv: o.baseEnv,
      databaseUrl: db.url,
      redisUrl: o.redisUrl,
      redisPrefix: prefix,
      jwtSecret: randomBytes(32).toString("hex"),
      nodeIds: CHAOS_NODE_IDS,
      ...CHAOS_TIMEOUTS,
      ...(o.dispatcherConcurrency ? { dispatcherConcurrency: o.dispatcherConcurrency } : {}),
      ...(o.echo ? { echo: o.echo } : {}),
      ...disruption.processes,
    });
    await processes.start();
    const running = processes;
    log(`chaos: head, ${CHAOS_NODE_IDS.length} workers, api and dispatcher up in ${since(startedAt)} s`);
    const secret = disruption.processes?.clusterSecret;
    cluster = new ClusterClient({
      headAddress: running.headAddress,
      ...(secret ? { credential: mintCredential(secret, { role: "driver" }) } : {}),
    });

    const keys = Array.from({ length: o.tasks }, (_, i) => `chaos-${o.seed}-${i}`);
    const subs = new Submitters({
      url: () => running.apiUrl,
      clients: accounts.clients,
      keys,
      model: CHAOS_MODEL,
      concurrency: o.concurrency ?? CHAOS_DEFAULTS.concurrency,
      ratePerS: o.ratePerS ?? o.tasks / (disruption.submitSpanS ?? CHAOS_DEFAULTS.submitSpanS),
      deadlineAt,
    });
    submitters = subs;
    o.signal?.addEventListener("abort", () => subs.stop());
    const over = () => Date.now() > deadlineAt || o.signal?.aborted === true;
    const dbOrm = orm;
    ticker = setInterval(() => void progress(dbOrm, subs, o.tasks, startedAt).then(log, () => {}), 2000);
    ticker.unref();
    const [outcome, records] = await Promise.all([
      subs.run(),
      disruption.run({
        rng,
        processes: running,
        cluster,
        nodeIds: CHAOS_NODE_IDS,
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
    const extra = inspect ? await inspect(orm, records) : 0;
    if (broken(invariants) || outcome.rejected.size > 0) {
      logTails(log, running, disruption.suspects(records));
      const open = await describeOpenTasks(orm, {
        redisUrl: o.redisUrl,
        bullPrefix: `${prefix}:bull`,
        startedAt,
      });
      for (const line of open) log(`chaos: open: ${line}`);
      for (const line of await describeUnsettledTasks(orm)) log(`chaos: unsettled: ${line}`);
    }
    return {
      invariants,
      records,
      rejected: outcome.rejected.size,
      submitRetries: outcome.retries,
      retriedCodes: outcome.retriedCodes,
      durationS: Number(since(startedAt)),
      extra,
    };
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

/** Whether the invariants show a task lost or money wrong (then the run prints its diagnosis). */
function broken(i: Invariants): boolean {
  return (
    i.lost > 0 ||
    i.chargedTwice > 0 ||
    i.unsettled > 0 ||
    i.holdErrors > 0 ||
    i.duplicateKeys > 0 ||
    i.balanceErrors.length > 0 ||
    !i.ledger.ok
  );
}

function logTails(log: (line: string) => void, processes: ChaosProcesses, names: string[]): void {
  for (const name of new Set(names)) {
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
