import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { mintCredential } from "@neurogrid/cluster";
import { signNodeToken } from "@neurogrid/schema";
import { migrate, openOrm } from "../db/orm.js";
import { startEmbeddedPostgres } from "../local/embedded-postgres.js";
import { findOrStartRedis } from "../local/local-redis.js";
import { localSecret } from "../local/secrets.js";
import { DEMO_DEPOSIT, seedDemo } from "../local/seed-demo.js";
import { type Child, freePort, startNodeChild } from "./child-process.js";
import { runDemoTask } from "./demo-task.js";
import { cliProgress } from "./progress.js";
import { Supervised } from "./supervised.js";
import { upLogs } from "./up-logs.js";

/**
 * `neurogrid up`: the whole network on one machine, on embedded defaults.
 *   PostgreSQL (DATABASE_URL, else embedded) -> Redis (REDIS_URL, else local) -> migrations
 *   -> head + two workers (child processes) -> demo data -> the payouts process (a child, only
 *   when NEUROGRID_TREASURY_KEYPAIR is set: it alone loads keys) -> api with dispatcher (a child)
 *   -> one demo task through the public API -> serve until Ctrl-C, then stop what we started.
 * `up` supervises the head, the workers and the api (supervised.ts): one that exits without being
 * asked to (kill -9, a crash) is started again on the same port, with the same node id, after a
 * backoff, and the screen says so. The head keeps its tables in `up`'s Redis, so a head started
 * again adopts the workers and actors that are alive.
 * Everything lives in the data directory, so a second `up` reuses it. Each of those is a step
 * of the progress shown on stderr (progress.ts; none with --quiet); what was started, where,
 * and the demo task's result go to stdout. Every process's log goes to a file under
 * <dataDir>/logs; the terminal shows only errors, readable (up-logs.ts). The processes `up`
 * starts run in process groups of their own, so a terminal's Ctrl-C reaches `up` alone, which
 * stops them in dependency order: api, workers, head, Redis, PostgreSQL.
 */
export interface UpOptions {
  dataDir: string;
  port: string;
  pgPort: number;
  redisPort: number;
  workers: number;
  /** Stop right after the demo task (for scripts and tests). */
  once: boolean;
  /** No progress on stderr. */
  quiet: boolean;
}

const CLI = fileURLToPath(new URL("./main.js", import.meta.url));
/** While serving, how often `up` looks whether Ctrl-C (or SIGTERM) came. */
const SIGNAL_POLL_MS = 200;

export async function up(opts: UpOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const started = performance.now();
  // With key files configured, payouts run, and the development faucet is off (config.ts refuses both).
  const payoutsOn = Boolean(env.NEUROGRID_TREASURY_KEYPAIR);
  // PostgreSQL, Redis, migrations, head, each worker, demo data, [payouts], api, demo task.
  const progress = cliProgress("up", 7 + opts.workers + (payoutsOn ? 1 : 0), { quiet: opts.quiet }, env);
  const say = (line: string) => progress.print(line);
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const logs = upLogs(dataDir, (line) => progress.note(line));
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s.stop().catch((err) => say(`stopping ${s.name}: ${String(err)}`));
  };
  /** Starts a child that `up` keeps running, and stops it with the rest. */
  const supervise = async (name: string, start: () => Promise<Child>) => {
    const child = await Supervised.start({
      name,
      start,
      say: (line) => say(`${name.padEnd(10)} ${line.slice(name.length + 1)}`),
    });
    stops.push({ name, stop: () => child.stop() });
    return child;
  };
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    let databaseUrl = env.DATABASE_URL;
    progress.step(databaseUrl ? "PostgreSQL from DATABASE_URL" : "starting the embedded PostgreSQL");
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres(dataDir, opts.pgPort);
      stops.push({ name: "postgres", stop: pg.stop });
      databaseUrl = pg.url;
      say(`postgres   embedded, 127.0.0.1:${opts.pgPort} (data in ${pg.databaseDir})`);
    } else say("postgres   DATABASE_URL");
    let redisUrl = env.REDIS_URL;
    progress.step(redisUrl ? "Redis from REDIS_URL" : "finding or starting Redis");
    if (!redisUrl) {
      const redis = await findOrStartRedis(dataDir, opts.redisPort);
      stops.push({ name: "redis", stop: redis.stop });
      redisUrl = redis.url;
    }
    say(`redis      ${redisUrl}`);

    progress.step("applying database migrations");
    const orm = await openOrm(databaseUrl);
    const applied = await migrate(orm);
    say(`migrations ${applied.length ? applied.join(", ") : "up to date"}`);

    // Node identity as in production: the head checks each worker's node token, which is
    // signed with the secret it shares with the api (the api signs registerNode's tokens).
    const nodeTokenSecret = localSecret(dataDir, "node-token-secret");
    // The cluster's own credential: a secret made for this run that only the head and the
    // workers hold; the api gets a driver token, `neurogrid status` an observer token (a file
    // only this user can read). Children get no secret of the api (clusterChildEnv).
    const clusterSecret = randomBytes(32).toString("base64url");
    const observerFile = join(dataDir, "observer-credential");
    writeFileSync(observerFile, `${mintCredential(clusterSecret, { role: "observer" })}\n`, { mode: 0o600 });
    const childEnv = { ...clusterChildEnv(env), NEUROGRID_CLUSTER_SECRET: clusterSecret };
    const headPort = await freePort();
    const log = logs.childLine;
    progress.step("starting the head");
    const headAddress = `127.0.0.1:${headPort}`;
    const storagePrefix = `${env.NEUROGRID_REDIS_PREFIX ?? "neurogrid"}:head:`;
    const head = await supervise("head", () =>
      startNodeChild({
        name: "head",
        script: CLI,
        args: ["head", "--port", String(headPort), "--storage", redisUrl, "--storage-prefix", storagePrefix],
        ready: /listening on (\S+)/,
        onLine: log,
        detached: true,
        env: { ...childEnv, NEUROGRID_NODE_TOKEN_SECRET: nodeTokenSecret },
      }).then((started) => started.child),
    );
    say(`head       ${headAddress} (pid ${head.pid}; status: --credential-file ${observerFile})`);
    const nodeIds = Array.from({ length: opts.workers }, (_, i) => `local-worker-${i + 1}`);
    for (const nodeId of nodeIds) {
      progress.step(`starting worker ${nodeId}`);
      const worker = await supervise(nodeId, () =>
        startNodeChild({
          name: nodeId,
          script: CLI,
          // The api's model cache: a worker loads registered models only from its own cache.
          args: [
            "worker",
            "--head",
            headAddress,
            "--node-id",
            nodeId,
            "--port",
            "0",
            "--model-cache-dir",
            resolve(dataDir, "models"),
          ],
          ready: /registered/,
          onLine: log,
          detached: true,
          env: { ...childEnv, NEUROGRID_NODE_TOKEN: signNodeToken(nodeTokenSecret, nodeId) },
        }).then((started) => started.child),
      );
      say(`worker     ${nodeId} (pid ${worker.pid})`);
    }

    progress.step("seeding the demo data");
    const demo = await seedDemo(orm.em.fork(), dataDir, nodeIds);
    await orm.close();

    if (payoutsOn) {
      // The one process with the treasury's and the hot wallet's keys; the api loads none.
      progress.step("starting the payouts process");
      const payouts = await startNodeChild({
        name: "payouts",
        script: CLI,
        args: ["payouts", "run"],
        ready: /payouts running/,
        onLine: log,
        env: { ...payoutsChildEnv(env), DATABASE_URL: databaseUrl, REDIS_URL: redisUrl },
      });
      stops.push({ name: "payouts", stop: payouts.child.stop });
      say(`payouts    pid ${payouts.child.process.pid} (signs payouts from the hot wallet)`);
    }
    // The api on a fixed port, so that one started again keeps its URL.
    const apiPort = opts.port === "0" ? String(await freePort()) : opts.port;
    const apiEnv: NodeJS.ProcessEnv = {
      ...env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      NEUROGRID_HEAD_ADDRESS: headAddress,
      NEUROGRID_MODEL_CACHE_DIR: resolve(dataDir, "models"),
      NEUROGRID_JWT_SECRET: env.NEUROGRID_JWT_SECRET ?? localSecret(dataDir, "jwt-secret"),
      NEUROGRID_NODE_TOKEN_SECRET: nodeTokenSecret,
      NEUROGRID_CLUSTER_CREDENTIAL: mintCredential(clusterSecret, { role: "driver" }),
      NEUROGRID_FAUCET: env.NEUROGRID_FAUCET ?? String(!payoutsOn),
      // The payouts process alone loads keys.
      NEUROGRID_TREASURY_KEYPAIR: undefined,
      NEUROGRID_HOT_WALLET_KEYPAIR: undefined,
    };
    progress.step("starting the api");
    let apiUrl = "";
    const api = await supervise("api", () =>
      startNodeChild({
        name: "api",
        script: CLI,
        args: ["api", "--port", apiPort],
        ready: /listening on (\S+)/,
        onLine: log,
        detached: true,
        env: apiEnv,
      }).then((started) => {
        apiUrl = started.match[1] ?? `http://127.0.0.1:${apiPort}/graphql`;
        return started.child;
      }),
    );
    say(`api        ${apiUrl} (pid ${api.pid})`);
    say(`logs       ${logs.dir} (one file per process; errors also here)`);
    say("");
    say(`GraphiQL   ${apiUrl}   (open in a browser)`);
    say(`demo key   ${demo.apiKey}   (client "demo-client", seeded with ${DEMO_DEPOSIT} NEURO)`);
    say(`models     ${demo.models.join(", ")}`);

    progress.step("running the demo task");
    const outcome = await runDemoTask(apiUrl, demo.apiKey);
    const firstResultSec = (performance.now() - started) / 1000;
    say("");
    say(
      `demo task  ${outcome.id} ${outcome.status} on ${outcome.nodeId ?? "?"} (${outcome.executionProvider ?? "?"})`,
    );
    if (outcome.error) say(`error      ${outcome.error}`);
    say(`result     ${JSON.stringify(outcome.result)}`);
    say(`cost       ${outcome.cost ?? "nothing (refunded)"}`);
    say(
      `latency    ${outcome.latencyMs.toFixed(1)} ms end to end (submit -> final state; includes placing the actor)`,
    );
    say(`started    first result ${firstResultSec.toFixed(2)} s after start`);
    const warm = await runDemoTask(apiUrl, demo.apiKey);
    say(`again      ${warm.status} in ${warm.latencyMs.toFixed(1)} ms end to end (actor already running)`);
    progress.done(`first result ${firstResultSec.toFixed(2)} s after start`);
    if (outcome.status !== "COMPLETED") process.exitCode = 1;
    if (opts.once) return;
    say("");
    say("serving; press Ctrl-C to stop");
    while (!interrupted) await new Promise((r) => setTimeout(r, SIGNAL_POLL_MS));
    say("stopping: api, workers, head, then Redis and PostgreSQL");
  } catch (err) {
    progress.fail();
    throw err;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await stopAll();
    if (interrupted) say("stopped");
  }
}

/** Variables of the api's environment that no cluster process gets (databases, api secrets, keys). */
const API_ONLY = [
  /^DATABASE_URL$/,
  /^REDIS_URL$/,
  /^NEUROGRID_JWT_SECRET$/,
  /^NEUROGRID_NODE_TOKEN_SECRET$/,
  /^NEUROGRID_TREASURY_KEYPAIR$/,
  /^NEUROGRID_HOT_WALLET_KEYPAIR$/,
  /^NEUROGRID_CLUSTER_CREDENTIAL$/,
  /^SOLANA_/,
  /^NEURO_MINT$/,
];

/** The environment of the head and worker children: this one less what only the api may see. */
function clusterChildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !API_ONLY.some((re) => re.test(name))));
}

/** The payouts process's environment: this one less the api's and the cluster's secrets. */
function payoutsChildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const others = [/^NEUROGRID_JWT_SECRET$/, /^NEUROGRID_NODE_TOKEN_SECRET$/, /^NEUROGRID_CLUSTER_/];
  return Object.fromEntries(Object.entries(env).filter(([name]) => !others.some((re) => re.test(name))));
}
