/**
 * `node dist/cli/worker-main.js --head HOST:PORT [--node-id ID] [--fake-gpus JSON] ...`
 * (every flag: config-worker.ts), or `--check-requirements` / `--status [HOST:PORT]`
 * (worker-query.ts). Prints `neurogrid worker NODEID registered with head at
 * HOST:PORT` once registered; stops its actor processes and exits on SIGTERM/SIGINT.
 */
import { parseWorkerConfig } from "../config-worker.js";
import { runWorker } from "./run.js";
import { exitWithError, stopOnSignals } from "./signals.js";
import { isWorkerQuery, runWorkerQuery } from "./worker-query.js";

// --check-requirements and --status answer and exit (worker-query.ts).
if (isWorkerQuery(process.argv.slice(2))) {
  try {
    const code = await runWorkerQuery(process.argv.slice(2), process.env, {
      write: (text) => process.stdout.write(text),
    });
    process.exit(code ?? 0);
  } catch (err) {
    exitWithError(err);
  }
}

// A signal while still registering (the head is not up yet) gives up and exits 0.
const starting = new AbortController();
const giveUp = () => starting.abort();
process.once("SIGTERM", giveUp);
process.once("SIGINT", giveUp);

try {
  const config = parseWorkerConfig(process.argv.slice(2), process.env);
  const worker = await runWorker(config, { env: process.env, signal: starting.signal });
  process.off("SIGTERM", giveUp);
  process.off("SIGINT", giveUp);
  stopOnSignals(() => worker.stop());
  process.stdout.write(`neurogrid worker ${worker.nodeId} registered with head at ${worker.headAddress}\n`);
} catch (err) {
  if (starting.signal.aborted) process.exit(0);
  exitWithError(err);
}
