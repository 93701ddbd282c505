#!/usr/bin/env node
import {
  isWorkerQuery,
  parseHeadConfig,
  parseWorkerConfig,
  runHead,
  runWorker,
  runWorkerQuery,
} from "@neurogrid/cluster/cli";
import { Command } from "commander";
import { defaultLog, startApiProcess } from "../app.js";
import { startDispatcherProcess } from "../app-dispatcher.js";
import { migrate, openOrm } from "../db/orm.js";
import { checkLedger } from "../ledger/check.js";
import { ReputationStore } from "../verification/reputation-store.js";
import { registerCertsCommands } from "./certs-command.js";
import { registerChainCommands } from "./chain-commands.js";
import { cliContextOf, required } from "./cli-env.js";
import { registerModelCommands } from "./model-commands.js";
import { registerNodeCommands } from "./node-command.js";
import { untilSignal } from "./signals.js";
import { printStatus, statusAccess } from "./status.js";
import { registerSubmitCommand } from "./submit-command.js";
import { registerTreasuryCommands } from "./treasury-command.js";
import { up } from "./up.js";

/**
 * `neurogrid`: the one CLI. Configuration comes from flags and environment, parsed once here
 * into typed objects and passed down: the environment is read here only (cli-env.ts), and
 * handed whole only to what starts child processes (`up`) or parses it (head, worker).
 */
const cli = cliContextOf(process.env);
const { env } = cli;
const program = new Command("neurogrid")
  .description("NeuroGrid: a distributed AI inference network")
  .option("-q, --quiet", "no progress on stderr for long operations (results still go to stdout)");

program
  .command("up")
  .description("run everything on this machine (database, Redis, head, two workers, api) and a demo task")
  .option("--data-dir <dir>", "where local data lives", env.dataDir ?? ".neurogrid")
  .option("--port <port>", "api port", env.apiPort ?? "4000")
  .option("--pg-port <port>", "embedded PostgreSQL port (when DATABASE_URL is unset)", "54329")
  .option("--redis-port <port>", "local redis-server port (when no Redis answers on 6379)", "63790")
  .option("--workers <n>", "number of local workers", "2")
  .option("--once", "stop after the demo task", false)
  .action(async (o, command: Command) => {
    await up(
      {
        dataDir: o.dataDir,
        port: o.port,
        pgPort: Number(o.pgPort),
        redisPort: Number(o.redisPort),
        workers: Number(o.workers),
        once: Boolean(o.once),
        quiet: Boolean(command.optsWithGlobals().quiet),
      },
      process.env,
    );
  });

program
  .command("api")
  .description("run the GraphQL api (and the dispatcher)")
  .option("--database-url <url>")
  .option("--redis-url <url>")
  .option("--head <address>", "head address host:port")
  .option("--host <host>")
  .option("--port <port>")
  .option("--no-dispatcher", "do not run the dispatcher in this process")
  .action(async (o) => {
    const config = cli.apiConfig({
      databaseUrl: o.databaseUrl,
      redisUrl: o.redisUrl,
      head: o.head,
      host: o.host,
      port: o.port,
      dispatcher: o.dispatcher,
    });
    const api = await startApiProcess(config);
    process.stdout.write(`neurogrid api listening on ${api.server.url}\n`);
    await untilSignal();
    await api.close();
  });

program
  .command("dispatcher")
  .description("run only the dispatcher (the task worker), without the GraphQL server")
  .option("--database-url <url>")
  .option("--redis-url <url>")
  .option("--head <address>", "head address host:port")
  .action(async (o) => {
    // The dispatcher signs the artifact tokens of the model actors it creates with the api's
    // secret (registry/artifact-token.ts): it needs NEUROGRID_JWT_SECRET, as the api does.
    required(env.jwtSecret, "NEUROGRID_JWT_SECRET (the dispatcher signs artifact tokens with it)");
    const config = cli.apiConfig({
      databaseUrl: o.databaseUrl,
      redisUrl: o.redisUrl,
      head: o.head,
      dispatcher: true,
    });
    const dispatcher = await startDispatcherProcess(config, defaultLog);
    process.stdout.write("neurogrid dispatcher running\n");
    await untilSignal();
    await dispatcher.close();
  });

program
  .command("ledger")
  .description("ledger tools")
  .command("check")
  .description("prove the ledger whole: entries sum to zero, each balance equals its entries; exits 1 if not")
  .option("--database-url <url>")
  .option("--json", "print one JSON object")
  .action(async (o) => {
    const url = required(o.databaseUrl ?? env.databaseUrl, "DATABASE_URL or --database-url");
    const orm = await openOrm(url);
    const result = await checkLedger(orm.em.fork());
    await orm.close();
    const printable = JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    if (o.json) process.stdout.write(`${printable}\n`);
    else if (result.ok)
      process.stdout.write(
        `ledger balanced: ${result.entries} entries sum to 0, each of an existing transaction and account; every balance equals its entries\n`,
      );
    else process.stdout.write(`LEDGER NOT BALANCED: ${printable}\n`);
    if (!result.ok) process.exitCode = 1;
  });

registerChainCommands(program, cli);
registerCertsCommands(program);
registerTreasuryCommands(program, cli);
registerModelCommands(program, env);
registerNodeCommands(program, env);
registerSubmitCommand(program, env);

program
  .command("status")
  .description("the cluster's nodes, resources, actors and placement groups (like `ray status`)")
  .option("--head <address>", "head address host:port", env.headAddress ?? "127.0.0.1:50051")
  .option("--json", "print one JSON object")
  .option("--credential-file <file>", "an observer's cluster credential (loopback: `up` writes one)")
  .option("--tls-ca <file>", "mutual TLS: the cluster CA's certificate")
  .option("--tls-cert <file>", "mutual TLS: an observer certificate (neurogrid certs issue --role observer)")
  .option("--tls-key <file>", "mutual TLS: its key")
  .option("--database-url <url>", "the api's database: each node's reputation from result verification too")
  .action(async (o) => {
    if (o.databaseUrl === undefined) {
      await printStatus(o.head, Boolean(o.json), statusAccess(o));
      return;
    }
    const orm = await openOrm(o.databaseUrl);
    try {
      const reputations = new ReputationStore(orm.em.fork());
      await printStatus(o.head, Boolean(o.json), statusAccess(o), (nodeId) => reputations.ofNode(nodeId));
    } finally {
      await orm.close();
    }
  });

program
  .command("migrate")
  .description("apply database migrations")
  .option("--database-url <url>")
  .action(async (o) => {
    const url = required(o.databaseUrl ?? env.databaseUrl, "DATABASE_URL or --database-url");
    const orm = await openOrm(url);
    const applied = await migrate(orm);
    process.stdout.write(`${applied.length ? `applied ${applied.join(", ")}` : "up to date"}\n`);
    await orm.close();
  });

program
  .command("head")
  .description("run the cluster head (see `neurogrid head --help`)")
  .allowUnknownOption()
  .helpOption(false)
  .argument("[args...]")
  .action(async (args: string[]) => {
    const head = await runHead(parseHeadConfig(args, process.env));
    process.stdout.write(`neurogrid head listening on ${head.address}\n`);
    await untilSignal();
    await head.stop();
  });

program
  .command("worker")
  .description("run a worker (node agent): --head ADDR, see `neurogrid worker --help`")
  .allowUnknownOption()
  .helpOption(false)
  .argument("[args...]")
  .action(async (args: string[]) => {
    if (isWorkerQuery(args)) {
      // --check-requirements / --status: answer and exit (non-zero with the reasons).
      process.exitCode =
        (await runWorkerQuery(args, process.env, { write: (t) => process.stdout.write(t) })) ?? 0;
      return;
    }
    const worker = await runWorker(parseWorkerConfig(args, process.env), { env: process.env });
    process.stdout.write(`neurogrid worker ${worker.nodeId} registered with head at ${worker.headAddress}\n`);
    await untilSignal();
    await worker.stop();
  });

// Each command stops what it started before it returns; exiting here makes sure a stray
// handle in a library (a socket pool, a timer) cannot keep a finished command alive.
program.parseAsync(process.argv).then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`neurogrid: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
