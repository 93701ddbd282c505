/**
 * Shared pieces of the head and worker configs (config-head.ts, config-worker.ts). Each process
 * parses its configuration once, at its entry point, from argv and the environment (a flag wins
 * over its environment variable, which wins over the default), validates it with zod into a
 * typed object and passes that object down. Nothing below the entry reads process.env.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { ClusterError } from "./errors.js";

export type Env = Readonly<Record<string, string | undefined>>;

export interface OptionSpec {
  /** The long flag, without "--". */
  flag: string;
  /** Environment variable read when the flag is absent. */
  env?: string;
  /** Repeatable flag; its environment variable holds a comma-separated list. */
  multiple?: boolean;
}

export type RawOptions<K extends string> = Partial<Record<K, string | string[]>>;

/** Collects raw string values from argv and env; unknown flags and positionals are errors. */
export function collectOptions<K extends string>(
  what: string,
  specs: Readonly<Record<K, OptionSpec>>,
  argv: readonly string[],
  env: Env,
): RawOptions<K> {
  const entries = Object.entries(specs) as [K, OptionSpec][];
  const options: Record<string, { type: "string"; multiple: boolean }> = {};
  for (const [, spec] of entries) options[spec.flag] = { type: "string", multiple: spec.multiple === true };
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
    if (typeof fromArgv === "string") raw[key] = fromArgv;
    else if (Array.isArray(fromArgv))
      raw[key] = fromArgv.filter((v: unknown): v is string => typeof v === "string");
    else if (fromEnv !== undefined && fromEnv !== "") {
      raw[key] = spec.multiple ? fromEnv.split(",").map((v) => v.trim()) : fromEnv;
    }
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
