import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * A stand-in for a container network, for tests of the deploy files: a network namespace of
 * its own (only loopback), where the services' host names (`head`, `api`, ...) resolve to
 * 127.0.0.1 through the namespace's hosts file, so every command, address and certificate host
 * name runs exactly as written. Each service runs in its own mount namespace with a private
 * /run: the files a service mounts (its secrets, its volumes) are copied there and no other
 * service sees them. Nothing listens on the test's own network unless `publish` says so
 * (compose `ports:`). Needs root (ip netns), as containers do.
 */
export interface ServiceSpec {
  name: string;
  /** The program and its arguments, exactly as the deploy file gives them. */
  argv: string[];
  env: Record<string, string>;
  /** Working directory (the image's WORKDIR, mapped to the checkout). */
  cwd: string;
  /** Container path (under /run) -> the files to put there (name -> host file). */
  mounts: Record<string, Record<string, string>>;
}

export interface RunningService {
  name: string;
  process: ChildProcess;
  /** Everything the service printed so far. */
  output(): string;
  /** Resolves when a line matches; rejects if the process exits first or after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once it has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const run = promisify(execFile);
/** How long a service has to print its ready line. */
const READY_TIMEOUT_MS = 60_000;
/** How long a service has to exit after SIGTERM before it gets SIGKILL. */
const STOP_GRACE_MS = 10_000;

export class ServiceNetwork {
  readonly name = `ngdeploy${randomBytes(4).toString("hex")}`;
  readonly #running: RunningService[] = [];
  readonly #servers: Server[] = [];
  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Creates the namespace, with `hosts` resolving to 127.0.0.1 inside it. */
  static async create(hosts: string[], workDir: string): Promise<ServiceNetwork> {
    const net = new ServiceNetwork(workDir);
    await run("ip", ["netns", "add", net.name]).catch((err: Error) => {
      throw new Error(`a network namespace is needed (root and iproute2's ip netns): ${err.message}`);
    });
    mkdirSync(`/etc/netns/${net.name}`, { recursive: true });
    writeFileSync(`/etc/netns/${net.name}/hosts`, `127.0.0.1 localhost ${hosts.join(" ")}\n::1 localhost\n`);
    await run("ip", ["netns", "exec", net.name, "ip", "link", "set", "lo", "up"]);
    return net;
  }

  /** Starts a service inside the namespace (its mounts in a private /run). */
  start(spec: ServiceSpec, onLine?: (name: string, line: string) => void): RunningService {
    const prelude = ["mount -t tmpfs tmpfs /run"];
    for (const [target, files] of Object.entries(spec.mounts)) {
      if (!target.startsWith("/run/")) throw new Error(`${spec.name}: mount ${target} is not under /run`);
      prelude.push(`mkdir -p '${target}'`);
      for (const [file, source] of Object.entries(files)) {
        prelude.push(`cp '${source}' '${target}/${file}'`, `chmod 0400 '${target}/${file}'`);
      }
    }
    prelude.push(`cd '${spec.cwd}'`, 'exec "$@"');
    const proc = spawn(
      "ip",
      ["netns", "exec", this.name, "/bin/sh", "-ec", prelude.join(" && "), spec.name, ...spec.argv],
      { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...spec.env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let text = "";
    const waiters = new Set<() => void>();
    const onData = (chunk: Buffer) => {
      const s = chunk.toString();
      text += s;
      for (const line of s.split("\n")) if (line) onLine?.(spec.name, line);
      for (const w of waiters) w();
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    const service: RunningService = {
      name: spec.name,
      process: proc,
      output: () => text,
      exited,
      waitFor: (pattern, timeoutMs = READY_TIMEOUT_MS) =>
        new Promise((resolve, reject) => {
          const check = () => {
            const m = text.match(pattern);
            if (m) {
              done();
              resolve(m);
            }
          };
          const timer = setTimeout(() => {
            done();
            reject(new Error(`${spec.name} printed no ${pattern} within ${timeoutMs} ms:\n${text}`));
          }, timeoutMs);
          const gone = (code: number | null) => {
            done();
            reject(new Error(`${spec.name} exited (${code}) before ${pattern}:\n${text}`));
          };
          const done = () => {
            clearTimeout(timer);
            waiters.delete(check);
            proc.off("exit", gone);
          };
          waiters.add(check);
          proc.once("exit", gone);
          check();
        }),
      stop: async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        proc.kill("SIGTERM");
        const timer = setTimeout(() => proc.kill("SIGKILL"), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      },
    };
    this.#running.push(service);
    return service;
  }

  /**
   * Publishes a port of the namespace on the test's loopback (compose `ports:`): a forwarder
   * inside the namespace listens on a Unix socket (file system, not network, namespaced) and
   * a server here pipes each connection to it. Returns the port here.
   */
  async publish(port: number): Promise<number> {
    const socket = join(this.#dir, `publish-${port}.sock`);
    const forwarder = `const net=require("node:net");net.createServer((c)=>{const u=net.connect(${port},"127.0.0.1");c.pipe(u).pipe(c);const end=()=>{c.destroy();u.destroy()};c.on("error",end);u.on("error",end)}).listen(${JSON.stringify(socket)},()=>console.log("forwarding"))`;
    const fwd = this.start({
      name: `publish-${port}`,
      argv: [process.execPath, "-e", forwarder],
      env: {},
      cwd: this.#dir,
      mounts: {},
    });
    await fwd.waitFor(/forwarding/);
    const server = createServer((c) => {
      const u = createConnection(socket);
      c.pipe(u).pipe(c);
      const end = () => {
        c.destroy();
        u.destroy();
      };
      c.on("error", end);
      u.on("error", end);
    });
    this.#servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no published port");
    return address.port;
  }

  /** Stops every service (last started first) and removes the namespace. */
  async remove(): Promise<void> {
    for (const server of this.#servers) server.close();
    for (const service of [...this.#running].reverse()) await service.stop();
    await run("ip", ["netns", "delete", this.name]).catch(() => {});
    rmSync(`/etc/netns/${this.name}`, { recursive: true, force: true });
  }
}
