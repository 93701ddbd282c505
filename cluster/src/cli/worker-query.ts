/**
 * The worker command's one-shot modes, for worker-main.ts and the api's `neurogrid worker`:
 *
 *   --check-requirements    check this machine (check-requirements.ts); exit 0 when all pass, else 1;
 *     [--execution-provider cuda|webgpu|cpu]   for that provider only (default: any GPU provider)
 *   --status [HOST:PORT]    ask a running worker (worker-status.ts); its address defaults to
 *                           --advertise-host:--port of the same flags (needs a fixed --port)
 *   --test-config, --stop   check a config against its head, or stop the worker started from it
 *                           (worker-config-modes.ts); one line, exit 0 or 1
 *   --help                  the modes, and every flag with its environment variable
 *
 * Other flags are the worker's own (config-worker.ts; --head is optional here). Returns the exit
 * status when argv asks for one of these modes, undefined otherwise (run the worker).
 */

import { mintCredential } from "../auth/credential-token.js";
import { localSecretOfHead } from "../auth/local-secret.js";
import type { Env } from "../config.js";
import { tlsFilesOf } from "../config.js";
import { parseWorkerCheckConfig, workerFlagsHelp } from "../config-worker.js";
import { ClusterError } from "../errors.js";
import { loadTls } from "../grpc/tls.js";
import {
  checkRequirements,
  formatRequirements,
  REQUESTED_PROVIDERS,
  type RequestedProvider,
  type RequirementsDeps,
} from "./check-requirements.js";
import { stopConfiguredWorker, testWorkerConfig } from "./worker-config-modes.js";
import { formatWorkerStatus, workerStatus } from "./worker-status.js";

export interface WorkerQueryIo {
  /** Where the report goes (stdout). */
  write: (text: string) => void;
  /** Stand-ins for the requirement checks (tests). */
  checks?: RequirementsDeps;
}

const CHECK = "--check-requirements";
const PROVIDER = "--execution-provider";
const STATUS = "--status";
const HELP = "--help";
const CONFIG_MODES = { "--test-config": testWorkerConfig, "--stop": stopConfiguredWorker } as const;
const USAGE = `usage: neurogrid worker --head HOST:PORT [flags]      run a node agent
       neurogrid worker --config FILE [flags]         the same, from a YAML or JSON config file
       neurogrid worker --config FILE --test-config   check the config against its head (exit 0/1)
       neurogrid worker --config FILE --stop          stop the worker started from that config
       neurogrid worker --check-requirements          check this machine (GPU, provider, disk, ...)
       neurogrid worker --status [HOST:PORT]          ask a running worker
flags (a flag wins over its environment variable, which wins over the config file):
`;

/** Whether argv asks for a one-shot mode rather than running the worker. */
export function isWorkerQuery(argv: readonly string[]): boolean {
  return (
    argv.includes(CHECK) ||
    argv.includes(STATUS) ||
    argv.includes(HELP) ||
    Object.keys(CONFIG_MODES).some((m) => argv.includes(m))
  );
}

export async function runWorkerQuery(
  argv: readonly string[],
  env: Env,
  io: WorkerQueryIo,
): Promise<number | undefined> {
  if (argv.includes(HELP)) {
    io.write(USAGE + workerFlagsHelp());
    return 0;
  }
  if (argv.includes(CHECK)) {
    const at = argv.indexOf(PROVIDER);
    const requested = at < 0 ? "any" : argv[at + 1];
    if (!REQUESTED_PROVIDERS.includes(requested as RequestedProvider))
      throw new ClusterError(
        "INVALID_ARGUMENT",
        `${PROVIDER} must be one of ${REQUESTED_PROVIDERS.join(", ")}`,
      );
    const config = parseWorkerCheckConfig(
      argv.filter((a, i) => a !== CHECK && (at < 0 || (i !== at && i !== at + 1))),
      env,
    );
    const checks = { ...io.checks, stack: { ldLibraryPath: env.LD_LIBRARY_PATH, ...io.checks?.stack } };
    const report = await checkRequirements(config, checks, requested as RequestedProvider);
    io.write(formatRequirements(report));
    return report.ok ? 0 : 1;
  }
  for (const [mode, run] of Object.entries(CONFIG_MODES)) {
    if (!argv.includes(mode)) continue;
    const result = await run(
      argv.filter((a) => a !== mode),
      env,
    );
    io.write(`${result.line}\n`);
    return result.code;
  }
  const at = argv.indexOf(STATUS);
  if (at < 0) return undefined;
  const next = argv[at + 1];
  const explicit = next !== undefined && !next.startsWith("--") ? next : undefined;
  const rest = argv.filter((_, i) => i !== at && !(explicit !== undefined && i === at + 1));
  const config = parseWorkerCheckConfig(rest, env);
  if (explicit === undefined && config.port === 0) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      "--status needs the worker's address: --status HOST:PORT (or the --port it serves on)",
    );
  }
  const address = explicit ?? `${config.advertiseHost}:${config.port}`;
  const files = tlsFilesOf(config);
  // With a cluster secret (loopback), the query is an observer's; with TLS, the certificate's.
  // Without either, the secret the worker's head (--head) made on this machine.
  const secret =
    files !== undefined
      ? undefined
      : (config.clusterSecret ??
        (config.headAddress === undefined ? undefined : localSecretOfHead(config.headAddress)));
  const status = await workerStatus(address, {
    tls: files === undefined ? undefined : loadTls(files),
    credential: secret === undefined ? undefined : mintCredential(secret, { role: "observer" }),
  });
  io.write(formatWorkerStatus(status));
  return 0;
}
