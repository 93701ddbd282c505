/**
 * The worker's configuration: flags, environment variables and defaults.
 *
 *   --head HOST:PORT              NEUROGRID_HEAD_ADDRESS           required
 *   --host HOST                   NEUROGRID_WORKER_HOST            127.0.0.1 (worker and actors bind it)
 *   --advertise-host HOST         NEUROGRID_WORKER_ADVERTISE_HOST  --host (127.0.0.1 for 0.0.0.0 / ::)
 *   --port PORT                   NEUROGRID_WORKER_PORT            0 (any free port)
 *   --node-id ID                  NEUROGRID_NODE_ID                HOSTNAME-PID
 *   --cpus N                      NEUROGRID_CPUS                   os.availableParallelism()
 *   --memory-mb MB                NEUROGRID_MEMORY_MB              os.totalmem()
 *   --fake-gpus JSON              NEUROGRID_FAKE_GPUS              none: GPUs from nvidia-smi
 *                                 (a stand-in: [{"name":"Fake GPU","memoryMb":16384}, ...])
 *   --node-token TOKEN            NEUROGRID_NODE_TOKEN             none
 *   --label KEY=VALUE             NEUROGRID_LABELS (k=v,k=v)       repeatable
 *   --resource NAME=AMOUNT        NEUROGRID_RESOURCES (n=a,n=a)    repeatable custom resources
 *   --actor-start-timeout-ms MS   NEUROGRID_ACTOR_START_TIMEOUT_MS 60000
 *   --stop-grace-ms MS            NEUROGRID_STOP_GRACE_MS          5000: a graceful actor stop lets
 *                                                                  accepted calls finish this long
 *   --kill-grace-ms MS            NEUROGRID_KILL_GRACE_MS          5000: then SIGKILL after this
 *   --actor-pool-size N           NEUROGRID_ACTOR_POOL_SIZE        2: prestarted actor processes
 *   --telemetry-interval-ms MS    NEUROGRID_TELEMETRY_INTERVAL_MS  1000 (at least 250): GPU telemetry
 *                                                                  poll interval (nvidia-smi)
 *   --telemetry-replay FILE       NEUROGRID_TELEMETRY_REPLAY       none: a stand-in that replays
 *                                 recorded nvidia-smi output (telemetry-sources.ts); without
 *                                 --fake-gpus the node's GPUs are those of its first snapshot
 *   --metrics-port PORT           NEUROGRID_WORKER_METRICS_PORT    none: Prometheus /metrics off
 *                                                                  (0 = any free port)
 *   --data-dir DIR                NEUROGRID_WORKER_DATA_DIR        none: where the worker keeps its pid
 *                                                                  file (worker.pid, for --stop) and,
 *                                                                  by default, its model cache
 *   --model-cache-dir DIR         NEUROGRID_MODEL_CACHE_DIR        DATA_DIR/models, else
 *                                                                  TMPDIR/neurogrid-models: where model
 *                                                                  files are cached (free disk is
 *                                                                  checked by --check-requirements)
 *   --max-vram-mb MB              NEUROGRID_MAX_VRAM_MB            none: each GPU offers at most this
 *   --config FILE                 NEUROGRID_WORKER_CONFIG          none: a YAML or JSON file of these
 *                                 settings (config-worker-file.ts), below flags and environment
 *   --no-actor-lease              NEUROGRID_NO_ACTOR_LEASE         off: actors get no lease (never
 *                                                                  fenced by time, runtime/actor-fence.ts;
 *                                                                  only their epoch fences them), for
 *                                                                  tests of the epoch fence alone
 *   --artifact-origin URL         NEUROGRID_ARTIFACT_ORIGIN        none: no downloaded model artifacts;
 *                                                                  else the api whose /models/<sha256>
 *                                                                  is the only place they come from
 *   --fault-injection-rate Q      NEUROGRID_FAULT_INJECTION_RATE   none: for tests of result verification
 *                                 only, a fraction Q of this node's model answers are perturbed
 *                                 (runtime/fault-injection.ts); refused when NODE_ENV=production
 *   --tls-ca/--tls-cert/--tls-key FILE, --insecure, --cluster-secret  transport security (config.ts):
 *                                 mutual TLS with the head, and TLS for the worker's and its
 *                                 actors' servers; plain text only on loopback unless --insecure
 */
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import {
  address,
  checkTransport,
  collectOptions,
  type Env,
  flag,
  host,
  json,
  keyValues,
  type OptionSpec,
  port,
  positiveMs,
  type RawOptions,
  TLS_OPTIONS,
  tlsFields,
  validateOptions,
} from "./config.js";
import { readWorkerConfigFile } from "./config-worker-file.js";
import { ClusterError } from "./errors.js";

/** A GPU declared by config instead of found by nvidia-smi (tests, machines without GPUs). */
export interface FakeGpu {
  name: string;
  memoryMb: number;
}

export interface WorkerConfig {
  /** host:port of the head. */
  headAddress: string;
  /** Interface the worker's and its actors' gRPC servers bind. */
  host: string;
  /** Host put in the addresses the worker reports (its own, its actors'). */
  advertiseHost: string;
  port: number;
  nodeId: string;
  /** Overrides os.availableParallelism(). */
  cpus?: number | undefined;
  /** Overrides os.totalmem(). */
  memoryMb?: number | undefined;
  /** Declared GPUs; nvidia-smi is not consulted when set. */
  fakeGpus?: FakeGpu[] | undefined;
  nodeToken?: string | undefined;
  labels: Record<string, string>;
  /** Custom resources the node offers. */
  custom: Record<string, number>;
  /** How long an actor process may take to come up. */
  actorStartTimeoutMs: number;
  /** A graceful actor stop's grace period for accepted calls (when the head names none). */
  stopGraceMs: number;
  /** After that grace period, how long before SIGKILL. */
  killGraceMs: number;
  /** Prestarted actor processes kept ready (0: none). */
  actorPoolSize: number;
  /** GPU telemetry poll interval. */
  telemetryIntervalMs: number;
  /** A file of recorded nvidia-smi output replayed instead of running nvidia-smi. */
  telemetryReplay?: string | undefined;
  /** Port of the Prometheus /metrics endpoint (0: any free port); off when absent. */
  metricsPort?: number | undefined;
  /** Where model files are cached. */
  modelCacheDir: string;
  /** Where the pid file lives (worker-pid-file.ts); none: no pid file. */
  dataDir?: string | undefined;
  /** Each GPU offers at most this much memory. */
  maxVramMb?: number | undefined;
  /** The api that serves model artifacts (models/source-policy.ts); none: artifacts are refused. */
  artifactOrigin?: string | undefined;
  /** Tests only: the fraction of model answers this node's actors perturb (fault-injection.ts). */
  faultInjectionRate?: number | undefined;
  /** NODE_ENV: fault injection is refused when it is "production". */
  nodeEnv?: string | undefined;
  /** Actors get no lease (runtime/actor-fence.ts): only their epoch fences them. */
  noActorLease: boolean;
  /** TLS files (all or none; see tlsFilesOf) and --insecure. */
  tlsCa?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  insecure: boolean;
  /** Without TLS: the cluster secret (config.ts TLS_OPTIONS). */
  clusterSecret?: string | undefined;
}

const OPTIONS = {
  headAddress: { flag: "head", env: "NEUROGRID_HEAD_ADDRESS" },
  host: { flag: "host", env: "NEUROGRID_WORKER_HOST" },
  advertiseHost: { flag: "advertise-host", env: "NEUROGRID_WORKER_ADVERTISE_HOST" },
  port: { flag: "port", env: "NEUROGRID_WORKER_PORT" },
  nodeId: { flag: "node-id", env: "NEUROGRID_NODE_ID" },
  cpus: { flag: "cpus", env: "NEUROGRID_CPUS" },
  memoryMb: { flag: "memory-mb", env: "NEUROGRID_MEMORY_MB" },
  fakeGpus: { flag: "fake-gpus", env: "NEUROGRID_FAKE_GPUS" },
  nodeToken: { flag: "node-token", env: "NEUROGRID_NODE_TOKEN" },
  labels: { flag: "label", env: "NEUROGRID_LABELS", multiple: true },
  custom: { flag: "resource", env: "NEUROGRID_RESOURCES", multiple: true },
  actorStartTimeoutMs: { flag: "actor-start-timeout-ms", env: "NEUROGRID_ACTOR_START_TIMEOUT_MS" },
  stopGraceMs: { flag: "stop-grace-ms", env: "NEUROGRID_STOP_GRACE_MS" },
  killGraceMs: { flag: "kill-grace-ms", env: "NEUROGRID_KILL_GRACE_MS" },
  actorPoolSize: { flag: "actor-pool-size", env: "NEUROGRID_ACTOR_POOL_SIZE" },
  telemetryIntervalMs: { flag: "telemetry-interval-ms", env: "NEUROGRID_TELEMETRY_INTERVAL_MS" },
  telemetryReplay: { flag: "telemetry-replay", env: "NEUROGRID_TELEMETRY_REPLAY" },
  metricsPort: { flag: "metrics-port", env: "NEUROGRID_WORKER_METRICS_PORT" },
  modelCacheDir: { flag: "model-cache-dir", env: "NEUROGRID_MODEL_CACHE_DIR" },
  dataDir: { flag: "data-dir", env: "NEUROGRID_WORKER_DATA_DIR" },
  maxVramMb: { flag: "max-vram-mb", env: "NEUROGRID_MAX_VRAM_MB" },
  artifactOrigin: { flag: "artifact-origin", env: "NEUROGRID_ARTIFACT_ORIGIN" },
  faultInjectionRate: { flag: "fault-injection-rate", env: "NEUROGRID_FAULT_INJECTION_RATE" },
  nodeEnv: { flag: "node-env", env: "NODE_ENV" },
  noActorLease: { flag: "no-actor-lease", env: "NEUROGRID_NO_ACTOR_LEASE", boolean: true },
  ...TLS_OPTIONS,
} as const satisfies Record<keyof WorkerConfig, OptionSpec>;

/** `neurogrid worker --help`: each flag with its environment variable (this file's header says more). */
export function workerFlagsHelp(): string {
  const rows = Object.values<OptionSpec>(OPTIONS).map(
    (spec) => `  --${spec.flag}${spec.boolean ? "" : " VALUE"}`.padEnd(34) + (spec.env ?? ""),
  );
  return `${[...rows, `  --config FILE`.padEnd(34) + "NEUROGRID_WORKER_CONFIG"].join("\n")}\n`;
}

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]"]);

const fakeGpus = z.array(z.object({ name: z.string().min(1), memoryMb: z.number().int().min(0) }));

const workerFields = {
  headAddress: address,
  host: host.default("127.0.0.1"),
  advertiseHost: host.optional(),
  port: port.default(0),
  nodeId: z
    .string()
    .regex(/^[\w.-]+$/, "letters, digits, '_', '.', '-' only")
    .default(() => `${hostname()}-${process.pid}`),
  cpus: z.coerce.number().positive().optional(),
  memoryMb: z.coerce.number().int().positive().optional(),
  fakeGpus: json(fakeGpus).optional(),
  nodeToken: z.string().min(1).optional(),
  labels: keyValues,
  custom: keyValues.pipe(z.record(z.string(), z.string().min(1).pipe(z.coerce.number<string>().min(0)))),
  actorStartTimeoutMs: positiveMs.default(60_000),
  stopGraceMs: positiveMs.default(5_000),
  killGraceMs: positiveMs.default(5_000),
  actorPoolSize: z.coerce.number().int().min(0).max(64).default(2),
  telemetryIntervalMs: z.coerce.number().int().min(250).default(1_000),
  telemetryReplay: z.string().min(1).optional(),
  metricsPort: port.optional(),
  modelCacheDir: z.string().min(1).optional(),
  dataDir: z.string().min(1).optional(),
  maxVramMb: z.coerce.number().int().positive().optional(),
  artifactOrigin: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), "an http or https URL")
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
  faultInjectionRate: z.coerce.number().min(0).max(1).optional(),
  nodeEnv: z.string().optional(),
  noActorLease: flag,
  ...tlsFields,
};

/** A lying node is a test fixture: never one a production configuration can start. */
function checkFaultInjection(
  c: { faultInjectionRate?: number | undefined; nodeEnv?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (c.faultInjectionRate !== undefined && c.nodeEnv === "production") {
    ctx.addIssue({
      code: "custom",
      path: ["faultInjectionRate"],
      message: "fault injection is a test option: refused when NODE_ENV=production",
    });
  }
}

interface Placeable {
  host: string;
  advertiseHost?: string | undefined;
  modelCacheDir?: string | undefined;
  dataDir?: string | undefined;
}

/** Defaults that depend on other settings: the advertised host, the model cache (under data_dir). */
const advertised = <C extends Placeable>(c: C) => ({
  ...c,
  advertiseHost: c.advertiseHost ?? (WILDCARD_HOSTS.has(c.host) ? "127.0.0.1" : c.host),
  modelCacheDir:
    c.modelCacheDir ??
    (c.dataDir === undefined ? join(tmpdir(), "neurogrid-models") : join(c.dataDir, "models")),
});

const workerSchema = z
  .object(workerFields)
  .superRefine(checkTransport)
  .superRefine(checkFaultInjection)
  .transform((c): WorkerConfig => advertised(c));

/** A worker's configuration where the head's address is optional (`--check-requirements`, `--status`). */
export type WorkerCheckConfig = Omit<WorkerConfig, "headAddress"> & { headAddress?: string | undefined };

const workerCheckSchema = z
  .object({ ...workerFields, headAddress: address.optional() })
  .superRefine(checkTransport)
  .superRefine(checkFaultInjection)
  .transform((c): WorkerCheckConfig => advertised(c));

export function parseWorkerCheckConfig(argv: readonly string[], env: Env): WorkerCheckConfig {
  return withConfigFile(argv, env, (rest, file) =>
    validateOptions("worker", OPTIONS, workerCheckSchema, collectOptions("worker", OPTIONS, rest, env, file)),
  );
}

export function parseWorkerConfig(argv: readonly string[], env: Env): WorkerConfig {
  return withConfigFile(argv, env, (rest, file) =>
    validateOptions("worker", OPTIONS, workerSchema, collectOptions("worker", OPTIONS, rest, env, file)),
  );
}

/** The config file named by --config (or NEUROGRID_WORKER_CONFIG), if any, and argv without it. */
function configFileOf(argv: readonly string[], env: Env): { file?: string; rest: string[] } {
  const rest = [...argv];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === "--config") {
      const file = rest[i + 1];
      if (file === undefined || file.startsWith("--"))
        throw new ClusterError("INVALID_ARGUMENT", "--config needs a file: --config worker.yaml");
      rest.splice(i, 2);
      return { file: resolve(file), rest };
    }
    if (arg.startsWith("--config=")) {
      rest.splice(i, 1);
      return { file: resolve(arg.slice("--config=".length)), rest };
    }
  }
  const fromEnv = env.NEUROGRID_WORKER_CONFIG;
  return fromEnv === undefined || fromEnv === "" ? { rest } : { file: resolve(fromEnv), rest };
}

function withConfigFile<T>(
  argv: readonly string[],
  env: Env,
  parse: (rest: string[], file: RawOptions<keyof WorkerConfig>) => T,
): T {
  const { file, rest } = configFileOf(argv, env);
  if (file === undefined) return parse(rest, {});
  try {
    return parse(rest, readWorkerConfigFile(file));
  } catch (err) {
    if (!(err instanceof ClusterError) || err.message.includes(file)) throw err;
    throw new ClusterError(err.code, `${err.message} (from the flags, the environment or ${file})`);
  }
}
