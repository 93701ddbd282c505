import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Child, startNodeChild } from "../cli/child-process.js";
import { TEST_JWT_SECRET } from "./in-process-api.js";
import { testRedisUrl } from "./test-database.js";

/**
 * Real processes for integration tests, started through the `neurogrid` CLI exactly as an
 * operator would: a head, workers, an api. Every one is stopped by its PID.
 */
export const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));

const echo = process.env.TEST_VERBOSE
  ? (n: string, l: string) => process.stderr.write(`[${n}] ${l}\n`)
  : undefined;

export async function startHead(extra: string[] = []): Promise<{ child: Child; address: string }> {
  // Port 0: the head binds a port the system picks, and prints it. A port found free first and
  // bound after could be taken meanwhile by another test's process (it was, in CI).
  const { child, match } = await startNodeChild({
    name: "head",
    script: CLI,
    args: ["head", "--port", "0", ...extra],
    ready: /listening on (\S+)/,
    env: process.env,
    onLine: echo,
  });
  const address = match[1];
  if (!address) throw new Error("the head printed no address");
  return { child, address };
}

/** `onLine` hears the worker's output, its actor processes' included (their call logs). */
export async function startWorker(
  headAddress: string,
  nodeId: string,
  extra: string[] = [],
  onLine?: (line: string) => void,
): Promise<Child> {
  const { child } = await startNodeChild({
    name: nodeId,
    script: CLI,
    args: ["worker", "--head", headAddress, "--node-id", nodeId, "--port", "0", ...extra],
    ready: /registered/,
    env: process.env,
    onLine: (name, line) => {
      echo?.(name, line);
      onLine?.(line);
    },
  });
  return child;
}

/**
 * The environment of an api process for a test: its database, Redis with its own key prefix,
 * the head, the test JWT secret, and `extra` on top.
 */
export function apiEnv(
  databaseUrl: string,
  redisPrefix: string,
  headAddress: string,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    NEUROGRID_REDIS_PREFIX: redisPrefix,
    NEUROGRID_HEAD_ADDRESS: headAddress,
    NEUROGRID_JWT_SECRET: TEST_JWT_SECRET,
    ...extra,
  };
}

export async function startApi(
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<{ child: Child; url: string }> {
  // Port 0, as the head's (startHead).
  const { child, match } = await startNodeChild({
    name: "api",
    script: CLI,
    args: ["api", "--port", "0", ...args],
    ready: /listening on (\S+)/,
    env: { ...process.env, ...env },
    onLine: echo,
  });
  const url = match[1];
  if (!url) throw new Error("the api printed no address");
  return { child, url };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `neurogrid ARGS` to its end as an operator would, with none of this process's NEUROGRID_*
 * settings (only its flags configure it): the exit code and both outputs.
 */
export async function runCli(args: string[]): Promise<CliResult> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("NEUROGRID_")));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}
