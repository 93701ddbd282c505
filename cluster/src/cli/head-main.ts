/**
 * `node dist/cli/head-main.js [--host H] [--port P] [--node-token T | --node-token-secret S]
 * [--tls-ca F --tls-cert F --tls-key F | --insecure] [--heartbeat-timeout-ms MS] ...` (every flag:
 * config-head.ts).
 * Prints `neurogrid head listening on HOST:PORT` once serving; stops cleanly on SIGTERM/SIGINT.
 */
import { parseHeadConfig } from "../config-head.js";
import { runHead } from "./run.js";
import { exitWithError, stopOnSignals } from "./signals.js";

try {
  const config = parseHeadConfig(process.argv.slice(2), process.env);
  const head = await runHead(config);
  stopOnSignals(() => head.stop());
  process.stdout.write(`neurogrid head listening on ${head.address}\n`);
} catch (err) {
  exitWithError(err);
}
