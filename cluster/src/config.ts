/**
 * Shared pieces of the head and worker configs (config-head.ts, config-worker.ts). Each process
 * parses its configuration once, at its entry point, from argv and the environment (a flag wins
 * over its environment variable, which wins over the default), validates it with zod into a
 * typed object and passes that object down. Nothing below the entry reads process.env.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { ClusterError } from "./errors.js";
import { isLoopback, type TlsFiles } from "./grpc/tls.js";

export type Env = Readonly<Record<string, string | undefined>>;

export interface OptionSpec {
  /** The long flag, without "--". */
  flag: string;
  /** Environment variable read when the flag is absent. */
  env?: string;
  /** Repeatable flag; its environment variable holds a comma-separated list. */
  multiple?: boolean;
  /** A switch (`--insecure`); its environment variable is true for 1/true/yes. Raw value "true"/"false". */
  boolean?: boolean;
}

export type RawOptions<K extends string> = Partial<Record<K, string | string[]>>;

/**
 * Collects raw string values from argv, then env, then `fallback` (a config file's values);
 * unknown flags and positionals are errors.
 */
export function collectOptions<K extends string>(
  what: string,
  specs: Readonly<Record<K, OptionSpec>>,
  argv: readonly string[],
  env: Env,
  fallback: RawOptions<K> = {},
): RawOptions<K> {
  const entries = Object.entries(specs) as [K, OptionSpec][];
  const options: Record<string, { type: "string" | "boolean"; multiple: boolean }> = {};
  for (const [, spec] of entries) {
    options[spec.flag] = { type: spec.boolean ? "boolean" : "string", multiple: spec.multiple === true };
  }
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ClusterError("INVALID_ARGUMENT", `invalid ${what} arguments: ${(err as Error).message}`);
  }
  const raw: RawOptions<K> = {};
  for (const [key, spec] of entries) {
    const fromArgv = values[spec.flag];
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    if (typeof fromArgv === "boolean") raw[key] = String(fromArgv);
    else if (spec.boolean && fromEnv !== undefined && fromEnv !== "") {
      raw[key] = String(/^(1|true|yes)$/i.test(fromEnv));
    } else if (typeof fromArgv === "string") raw[key] = fromArgv;
    else if (Array.isArray(fromArgv))
      raw[key] = fromArgv.filter((v: unknown): v is string => typeof v === "string");
    else if (fromEnv !== undefined && fromEnv !== "") {
      raw[key] = spec.multiple ? fromEnv.split(",").map((v) => v.trim()) : fromEnv;
    } else if (fallback[key] !== undefined) raw[key] = fallback[key];
  }
  return raw;
}

/** Validates raw options; errors name the flag (and its variable) that was wrong. */
export function validateOptions<K extends string, T>(
  what: string,
  specs: Readonly<Record<K, OptionSpec>>,
  schema: z.ZodType<T>,
  raw: RawOptions<K>,
): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path[0];
    const spec = typeof key === "string" ? (specs as Record<string, OptionSpec | undefined>)[key] : undefined;
    if (spec === undefined) return issue.message;
    const source = spec.env === undefined ? `--${spec.flag}` : `--${spec.flag} / ${spec.env}`;
    return `${source}: ${issue.message}`;
  });
  throw new ClusterError("INVALID_ARGUMENT", `invalid ${what} config: ${problems.join("; ")}`);
}

export const port = z.coerce.number().int().min(0).max(65_535);
export const positiveMs = z.coerce.number().int().positive();
export const host = z.string().min(1);
/** host:port, with an IPv6 host in brackets. */
export const address = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, "expected HOST:PORT");

/** A repeatable KEY=VALUE option, as a record. */
export const keyValues = z
  .array(z.string().regex(/^[^=\s]+=/, "expected KEY=VALUE"))
  .default([])
  .transform((items) =>
    Object.fromEntries(
      items.map((item) => [item.slice(0, item.indexOf("=")), item.slice(item.indexOf("=") + 1)]),
    ),
  );

/** A string option holding JSON, validated by `schema`. */
export function json<T>(schema: z.ZodType<T>) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "not valid JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** A switch option (see OptionSpec.boolean), false when absent. */
export const flag = z
  .enum(["true", "false"])
  .default("false")
  .transform((value) => value === "true");

/**
 * Transport security options, shared by the head and the worker (see grpc/tls.ts):
 *   --tls-ca FILE    NEUROGRID_TLS_CA     the cluster CA's certificate (PEM)
 *   --tls-cert FILE  NEUROGRID_TLS_CERT   this member's certificate (PEM), signed by the CA
 *   --tls-key FILE   NEUROGRID_TLS_KEY    its private key (PEM)
 *   --insecure       NEUROGRID_INSECURE   allow plain text on a non-loopback --host (only with a
 *                                         cluster secret: callers are still identified)
 *   --cluster-secret S  NEUROGRID_CLUSTER_SECRET  without TLS: the secret the cluster's processes
 *                                         share; every call carries a credential token minted with it
 *                                         (auth/credential-token.ts). Without TLS or it, a head makes
 *                                         its own and writes it for this user only, where local
 *                                         workers and drivers find it (auth/local-secret.ts)
 */
export const TLS_OPTIONS = {
  tlsCa: { flag: "tls-ca", env: "NEUROGRID_TLS_CA" },
  tlsCert: { flag: "tls-cert", env: "NEUROGRID_TLS_CERT" },
  tlsKey: { flag: "tls-key", env: "NEUROGRID_TLS_KEY" },
  insecure: { flag: "insecure", env: "NEUROGRID_INSECURE", boolean: true },
  clusterSecret: { flag: "cluster-secret", env: "NEUROGRID_CLUSTER_SECRET" },
} as const satisfies Record<string, OptionSpec>;

export const tlsFields = {
  tlsCa: z.string().min(1).optional(),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  insecure: flag,
  clusterSecret: z.string().min(32, "must be at least 32 characters").optional(),
};

export interface TlsConfig {
  tlsCa?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  insecure: boolean;
  /** Without TLS: the cluster secret credential tokens are minted and checked with. */
  clusterSecret?: string | undefined;
}

/** The TLS files of a config, or undefined for plain text. */
export function tlsFilesOf(config: TlsConfig): TlsFiles | undefined {
  if (config.tlsCa === undefined || config.tlsCert === undefined || config.tlsKey === undefined)
    return undefined;
  return { caFile: config.tlsCa, certFile: config.tlsCert, keyFile: config.tlsKey };
}

/**
 * For a config schema's superRefine: the TLS files come all together or not at all, and a
 * non-loopback host needs TLS, or --insecure with a cluster secret (callers are never anonymous
 * off loopback).
 */
export function checkTransport(config: TlsConfig & { host: string }, ctx: z.RefinementCtx): void {
  const given = [config.tlsCa, config.tlsCert, config.tlsKey].filter((file) => file !== undefined).length;
  if (given !== 0 && given !== 3) {
    ctx.addIssue({
      code: "custom",
      path: ["tlsCa"],
      message: "give --tls-ca, --tls-cert and --tls-key together",
    });
  } else if (
    given === 0 &&
    !isLoopback(config.host) &&
    (!config.insecure || config.clusterSecret === undefined)
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["host"],
      message: `${config.host} is not loopback: configure TLS (--tls-ca, --tls-cert, --tls-key), or pass --insecure with a --cluster-secret`,
    });
  }
}
