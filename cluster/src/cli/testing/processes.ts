/**
 * Test support: the head and worker entries (dist/cli/*-main.js) as real child processes on
 * loopback. Each process is started with a clean environment (no NEUROGRID_* leaking in), its
 * output is kept for failure messages, and stop() ends it by its PID: SIGTERM, then SIGKILL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export type Entry = "head-main" | "worker-main";

export interface RunningProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit status once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  entry: Entry;
  args: string[];
  /** A stdout line matching this means the process is ready. */
  ready: RegExp;
  timeoutMs?: number;
}

const MAX_OUTPUT_CHARS = 20_000;

function entryPath(entry: Entry): string {
  return fileURLToPath(new URL(`../${entry}.js`, import.meta.url));
}

function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("NEUROGRID_")));
}

/** Spawns an entry without waiting for it to be ready. */
export function spawnEntry(name: string, entry: Entry, args: string[]): RunningProcess {
  const child = spawn(process.execPath, [entryPath(entry), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: cleanEnv(),
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: spawn failed`);
  return {
    name,
    pid,
    child,
    exited,
    output: () => output,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killQuietly(pid, "SIGTERM");
      const timer = setTimeout(() => killQuietly(pid, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Spawns an entry and waits for its ready line; returns the process and the line's match. */
export async function startEntry(
  options: StartOptions,
): Promise<{ proc: RunningProcess; match: RegExpMatchArray }> {
  const proc = spawnEntry(options.name, options.entry, options.args);
  const lines = createInterface({ input: proc.child.stdout as NodeJS.ReadableStream });
  try {
    const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name} not ready within ${options.timeoutMs ?? 15_000} ms`)),
        options.timeoutMs ?? 15_000,
      );
      lines.on("line", (line) => {
        const found = options.ready.exec(line);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      });
      void proc.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited (${signal ?? code}) before it was ready`));
      });
    });
    return { proc, match };
  } catch (err) {
    await proc.stop(1_000);
    throw new Error(`${(err as Error).message}\n--- ${options.name} output ---\n${proc.output()}`);
  } finally {
    lines.close();
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
