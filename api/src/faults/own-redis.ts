import { type ChildProcess, spawn } from "node:child_process";
import { freePort } from "../cli/child-process.js";

/**
 * A Redis server of the fault run's own: `redis-server` on a free port of 127.0.0.1, keeping
 * nothing on disk (--save "" --appendonly no), so a restart comes back empty, as a Redis
 * without persistence does. Started and stopped by its PID; `restart()` stops it (SIGTERM,
 * waiting for the exit) and starts it again on the same port.
 */
export interface OwnRedis {
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const READY = /Ready to accept connections/;
const READY_TIMEOUT_MS = 15_000;

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let proc = await launch(port);
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGTERM");
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    async restart() {
      await stop();
      proc = await launch(port);
    },
  };
}

function launch(port: number): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`redis-server was not ready on port ${port} within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    proc.stdout?.on("data", (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-2000);
      if (READY.test(seen)) {
        clearTimeout(timer);
        resolve(proc);
      }
    });
    proc.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited before it was ready (code ${code}): ${seen.slice(-300)}`));
    });
  });
}
