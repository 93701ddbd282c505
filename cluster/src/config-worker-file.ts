/**
 * The worker's config file (`neurogrid worker --config FILE`), YAML or JSON, as a provider keeps
 * it next to the node's data (`neurogrid node register` writes one, mode 0600, since it holds the
 * node's token). Every key is optional; a flag wins over its environment variable, which wins
 * over the file, which wins over the default (config-worker.ts). Unknown keys are errors.
 *
 *   head_address: head.example.org:50051   --head
 *   api_url: https://api.example.org       --artifact-origin (registered models come from there)
 *   node_id: gpu-box-1a2b3c                --node-id
 *   node_token: ngn....                    --node-token
 *   max_cpu_cores: 8                       --cpus
 *   max_memory_gb: 32                      --memory-mb
 *   max_vram_gb: 20                        --max-vram-mb (each GPU offers at most this much)
 *   data_dir: /var/lib/neurogrid           --data-dir (pid file; model cache under it by default)
 *   model_cache_dir: /var/cache/models     --model-cache-dir
 *   host / advertise_host / port           --host / --advertise-host / --port
 *   metrics_port: 9100                     --metrics-port
 *   telemetry_interval: 2s                 --telemetry-interval-ms (ms, s or m; a number is seconds)
 *   tls: { ca: ca.pem, cert: w.pem, key: w-key.pem }   --tls-ca / --tls-cert / --tls-key
 *   cluster_secret / insecure              --cluster-secret / --insecure
 *   labels: { zone: eu }                   --label
 *   resources: { special: 2 }              --resource
 *   fake_gpus: [{ name: Fake, memoryMb: 16384 }]        --fake-gpus (machines without GPUs)
 *
 * Relative paths are relative to the file's folder, so a config and its certificates can move
 * together. Keys other node agents' configs have that a NeuroGrid worker does not decide are
 * refused with where the setting lives (SET_ELSEWHERE).
 */
import { readFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { RawOptions } from "./config.js";
import { ClusterError } from "./errors.js";

const MS_PER_UNIT = { ms: 1, s: 1_000, m: 60_000 } as const;
const MB_PER_GB = 1024;

const positive = z.number().positive();
const duration = z.union([
  positive.transform((seconds) => seconds * MS_PER_UNIT.s),
  z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m)$/, "a duration such as 500ms, 2s or 1m")
    .transform((text) => {
      const [, amount, unit] = /^([\d.]+)(ms|s|m)$/.exec(text) as unknown as [
        string,
        string,
        "ms" | "s" | "m",
      ];
      return Number(amount) * MS_PER_UNIT[unit];
    }),
]);

/** Settings that are not the worker's to make, and where they are made. */
const SET_ELSEWHERE: Record<string, string> = {
  coordinator_url: "the head's address is head_address (HOST:PORT)",
  heartbeat_interval: "the head sets it for every node (neurogrid head --heartbeat-interval-ms)",
  task_timeout: "the api's dispatcher sets it (NEUROGRID_TASK_TIMEOUT_MS)",
};

const fileSchema = z
  .object({
    head_address: z.string(),
    api_url: z.string(),
    node_id: z.string(),
    node_token: z.string(),
    max_cpu_cores: positive,
    max_memory_gb: positive,
    max_vram_gb: positive,
    data_dir: z.string(),
    model_cache_dir: z.string(),
    host: z.string(),
    advertise_host: z.string(),
    port: z.number().int(),
    metrics_port: z.number().int(),
    telemetry_interval: duration,
    tls: z.object({ ca: z.string(), cert: z.string(), key: z.string() }).strict(),
    cluster_secret: z.string(),
    insecure: z.boolean(),
    labels: z.record(z.string(), z.union([z.string(), z.number()])),
    resources: z.record(z.string(), z.number().min(0)),
    fake_gpus: z.array(z.unknown()),
  })
  .partial()
  .strict();

/**
 * Reads and validates a worker config file into raw option values (strings, as flags give them),
 * keyed by the worker config's field names (config-worker.ts).
 */
export function readWorkerConfigFile(path: string): RawOptions<string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `cannot read the worker config ${path}: ${(err as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = extname(path).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ClusterError(
      "INVALID_ARGUMENT",
      `worker config ${path} does not parse: ${(err as Error).message}`,
    );
  }
  const elsewhere = Object.keys(typeof data === "object" && data !== null ? data : {})
    .filter((key) => SET_ELSEWHERE[key] !== undefined)
    .map((key) => `${key}: ${SET_ELSEWHERE[key]}`);
  if (elsewhere.length > 0)
    throw new ClusterError("INVALID_ARGUMENT", `invalid worker config ${path}: ${elsewhere.join("; ")}`);
  const parsed = fileSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.join(".");
      return key === "" ? issue.message : `${key}: ${issue.message}`;
    });
    throw new ClusterError("INVALID_ARGUMENT", `invalid worker config ${path}: ${problems.join("; ")}`);
  }
  const file = parsed.data;
  const here = (p: string | undefined) => (p === undefined ? undefined : resolve(dirname(path), p));
  const text_ = (v: string | number | boolean | undefined) => (v === undefined ? undefined : String(v));
  const raw: RawOptions<string> = {
    headAddress: file.head_address,
    artifactOrigin: file.api_url,
    nodeId: file.node_id,
    nodeToken: file.node_token,
    cpus: text_(file.max_cpu_cores),
    memoryMb: text_(
      file.max_memory_gb === undefined ? undefined : Math.floor(file.max_memory_gb * MB_PER_GB),
    ),
    maxVramMb: text_(file.max_vram_gb === undefined ? undefined : Math.floor(file.max_vram_gb * MB_PER_GB)),
    dataDir: here(file.data_dir),
    modelCacheDir: here(file.model_cache_dir),
    host: file.host,
    advertiseHost: file.advertise_host,
    port: text_(file.port),
    metricsPort: text_(file.metrics_port),
    telemetryIntervalMs: text_(file.telemetry_interval),
    tlsCa: here(file.tls?.ca),
    tlsCert: here(file.tls?.cert),
    tlsKey: here(file.tls?.key),
    clusterSecret: file.cluster_secret,
    insecure: text_(file.insecure),
    labels: file.labels === undefined ? undefined : Object.entries(file.labels).map(([k, v]) => `${k}=${v}`),
    custom:
      file.resources === undefined ? undefined : Object.entries(file.resources).map(([k, v]) => `${k}=${v}`),
    fakeGpus: file.fake_gpus === undefined ? undefined : JSON.stringify(file.fake_gpus),
  };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as RawOptions<string>;
}
