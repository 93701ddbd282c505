/**
 * The head's configuration: flags, environment variables and defaults.
 *
 *   --host HOST                   NEUROGRID_HEAD_HOST              127.0.0.1
 *   --port PORT                   NEUROGRID_HEAD_PORT              50051 (0 = any free port)
 *   --node-token TOKEN            NEUROGRID_NODE_TOKEN             none: any node may register
 *   --node-token-secret SECRET    NEUROGRID_NODE_TOKEN_SECRET      none: when set, a node registers
 *                                                                  only with a token issued for its
 *                                                                  node id (signNodeToken); excludes
 *                                                                  --node-token
 *   --heartbeat-timeout-ms MS     NEUROGRID_HEARTBEAT_TIMEOUT_MS   10000: silent longer = DEAD
 *   --heartbeat-interval-ms MS    NEUROGRID_HEARTBEAT_INTERVAL_MS  timeout / 3, at most 1000
 *   --restore-grace-ms MS         NEUROGRID_RESTORE_GRACE_MS       5000: after a restart on stored
 *                                                                  tables, a stored node has the
 *                                                                  heartbeat timeout plus this to
 *                                                                  register again before it is DEAD
 *   --actor-start-timeout-ms MS   NEUROGRID_ACTOR_START_TIMEOUT_MS 120000
 *   --spread-threshold U          NEUROGRID_SPREAD_THRESHOLD       0.5: hybrid policy packs nodes up to
 *                                                                  utilisation U, then spreads
 *   --storage URL                 NEUROGRID_HEAD_STORAGE           memory: tables in memory (lost on
 *                                                                  restart); redis://HOST:PORT[/DB]
 *                                                                  keeps them in Redis
 *   --storage-prefix PREFIX       NEUROGRID_HEAD_STORAGE_PREFIX    neurogrid:head: (Redis key prefix)
 *   --gpu-critical-temp-c C       NEUROGRID_GPU_CRITICAL_TEMP_C    90: a GPU this hot takes no new
 *                                                                  actors until below C - 5
 *   --metrics-port PORT           NEUROGRID_HEAD_METRICS_PORT      none: Prometheus /metrics off
 *                                                                  (0 = any free port)
 *   --tls-ca/--tls-cert/--tls-key FILE, --insecure, --cluster-secret  transport security (config.ts):
 *                                 the head serves mutual TLS (workers and drivers present
 *                                 certificates from the cluster CA; a worker's must name its
 *                                 node id) and reaches workers with its own certificate; plain
 *                                 text only on loopback unless --insecure
 */
import { z } from "zod";
import {
  checkTransport,
  collectOptions,
  type Env,
  host,
  type OptionSpec,
  port,
  positiveMs,
  TLS_OPTIONS,
  type TlsConfig,
  tlsFields,
  validateOptions,
} from "./config.js";

export interface HeadConfig extends TlsConfig {
  /** Interface the head's gRPC server binds. */
  host: string;
  port: number;
  /** When set, nodes must present it to register (a shared cluster token). */
  nodeToken?: string | undefined;
  /** When set, a node must present a token issued for its node id (signNodeToken) to register. */
  nodeTokenSecret?: string | undefined;
  /** A node silent for longer is DEAD, and so are its actors. */
  heartbeatTimeoutMs: number;
  /** How often workers heartbeat (told to them on registration). */
  heartbeatIntervalMs: number;
  /**
   * After a restart on stored tables, how much longer than the heartbeat timeout a stored node
   * has to register again: its worker retries with a backoff of up to 2.4 s (worker/backoff.ts)
   * on a channel that reconnects within 1 s, so a head that was down for a while would otherwise
   * declare live nodes DEAD (and restart their actors) before they could come back.
   */
  restoreGraceMs: number;
  /** How long the head waits for a worker to start an actor process. */
  actorStartTimeoutMs: number;
  /** Hybrid scheduling policy: pack nodes up to this utilisation (0..1), then spread. */
  spreadThreshold: number;
  /** Where the head keeps its tables: in memory, or a Redis URL (a restarted head recovers them). */
  storage: "memory" | `redis://${string}` | `rediss://${string}`;
  /** Prefix of the Redis keys (one head per prefix). */
  storagePrefix: string;
  /** A GPU at or over this temperature takes no new actors (until 5 °C below it). */
  gpuCriticalTempC: number;
  /** Port of the Prometheus /metrics endpoint (0: any free port); off when absent. */
  metricsPort?: number | undefined;
}

const OPTIONS = {
  host: { flag: "host", env: "NEUROGRID_HEAD_HOST" },
  port: { flag: "port", env: "NEUROGRID_HEAD_PORT" },
  nodeToken: { flag: "node-token", env: "NEUROGRID_NODE_TOKEN" },
  nodeTokenSecret: { flag: "node-token-secret", env: "NEUROGRID_NODE_TOKEN_SECRET" },
  heartbeatTimeoutMs: { flag: "heartbeat-timeout-ms", env: "NEUROGRID_HEARTBEAT_TIMEOUT_MS" },
  heartbeatIntervalMs: { flag: "heartbeat-interval-ms", env: "NEUROGRID_HEARTBEAT_INTERVAL_MS" },
  restoreGraceMs: { flag: "restore-grace-ms", env: "NEUROGRID_RESTORE_GRACE_MS" },
  actorStartTimeoutMs: { flag: "actor-start-timeout-ms", env: "NEUROGRID_ACTOR_START_TIMEOUT_MS" },
  spreadThreshold: { flag: "spread-threshold", env: "NEUROGRID_SPREAD_THRESHOLD" },
  storage: { flag: "storage", env: "NEUROGRID_HEAD_STORAGE" },
  storagePrefix: { flag: "storage-prefix", env: "NEUROGRID_HEAD_STORAGE_PREFIX" },
  gpuCriticalTempC: { flag: "gpu-critical-temp-c", env: "NEUROGRID_GPU_CRITICAL_TEMP_C" },
  metricsPort: { flag: "metrics-port", env: "NEUROGRID_HEAD_METRICS_PORT" },
  ...TLS_OPTIONS,
} as const satisfies Record<keyof HeadConfig, OptionSpec>;

const DEFAULT_HEAD_PORT = 50051;
/** The worker's longest wait between registrations (2 s + 20 % jitter) and a channel reconnect (1 s), with room. */
const DEFAULT_RESTORE_GRACE_MS = 5_000;

const headSchema = z
  .object({
    host: host.default("127.0.0.1"),
    port: port.default(DEFAULT_HEAD_PORT),
    nodeToken: z.string().min(1).optional(),
    nodeTokenSecret: z.string().min(16, "must be at least 16 characters").optional(),
    heartbeatTimeoutMs: positiveMs.default(10_000),
    heartbeatIntervalMs: positiveMs.optional(),
    restoreGraceMs: z.coerce.number().int().min(0).default(DEFAULT_RESTORE_GRACE_MS),
    actorStartTimeoutMs: positiveMs.default(120_000),
    spreadThreshold: z.coerce.number().min(0).max(1).default(0.5),
    storage: z
      .union([
        z.literal("memory"),
        z.string().regex(/^rediss?:\/\/\S+$/, "expected memory or redis://HOST:PORT[/DB]"),
      ])
      .default("memory")
      .transform((v) => v as HeadConfig["storage"]),
    storagePrefix: z.string().min(1).default("neurogrid:head:"),
    gpuCriticalTempC: z.coerce.number().min(1).max(200).default(90),
    metricsPort: port.optional(),
    ...tlsFields,
  })
  .superRefine(checkTransport)
  .transform(
    (c): HeadConfig => ({
      ...c,
      heartbeatIntervalMs:
        c.heartbeatIntervalMs ?? Math.max(10, Math.min(1000, Math.floor(c.heartbeatTimeoutMs / 3))),
    }),
  )
  .refine((c) => c.heartbeatIntervalMs < c.heartbeatTimeoutMs, {
    message: "must be shorter than the heartbeat timeout",
    path: ["heartbeatIntervalMs"],
  })
  .refine((c) => c.nodeToken === undefined || c.nodeTokenSecret === undefined, {
    message: "give a shared --node-token or per-node tokens (--node-token-secret), not both",
    path: ["nodeTokenSecret"],
  });

export function parseHeadConfig(argv: readonly string[], env: Env): HeadConfig {
  const raw = collectOptions("head", OPTIONS, argv, env);
  return validateOptions("head", OPTIONS, headSchema, raw);
}
