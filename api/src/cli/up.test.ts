/**
 * `neurogrid up` as a person runs it, with the embedded PostgreSQL (no DATABASE_URL) in a data
 * folder other users cannot enter (a mkdtemp folder, mode 0700: as root, PostgreSQL's own user
 * must still reach its binaries and data): the demo task completes and is charged, the terminal
 * gets the summary and no JSON logs (they are in <dataDir>/logs), and a terminal's Ctrl-C (SIGINT
 * to the whole process group) stops everything in order, with exit 0 and no error printed.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { CLI } from "../testing/local-cluster.js";
import { testRedisUrl, uniquePrefix } from "../testing/test-database.js";
import { freePort } from "./child-process.js";
import { runDemoTask } from "./demo-task.js";

const UP_TIMEOUT_MS = 150_000;

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("neurogrid up", { timeout: 3 * UP_TIMEOUT_MS }, () => {
  const home = mkdtempSync(join(tmpdir(), "neurogrid-up-"));
  const dataDir = join(home, "data");
  const prefix = uniquePrefix("up");
  let pgPort = 0;

  after(() => {
    // As root with this closed folder, PostgreSQL's data went where its user can reach it.
    const moved = join(dataDir, "postgres-location");
    if (existsSync(moved))
      rmSync(dirname(readFileSync(moved, "utf8").trim()), { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  /**
   * Runs `up` in a process group of its own; with `serving`, once it serves, runs it, then sends
   * SIGINT to the group (a terminal's Ctrl-C).
   */
  function up(args: string[], serving?: (out: () => string) => Promise<void>): Promise<Run> {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("NEUROGRID_") && k !== "DATABASE_URL"),
    );
    const child = spawn(
      process.execPath,
      [CLI, "up", "--data-dir", dataDir, "--pg-port", String(pgPort), "--port", "0", ...args],
      {
        cwd: home,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...env, REDIS_URL: testRedisUrl(), NEUROGRID_REDIS_PREFIX: prefix },
      },
    );
    const pid = child.pid as number;
    let out = "";
    let err = "";
    let err_ = "";
    let sent = false;
    child.stdout.on("data", (d) => {
      out += String(d);
      if (serving && !sent && out.includes("press Ctrl-C")) {
        sent = true;
        void serving(() => out)
          .catch((err) => {
            err_ += `\ntest: ${String(err)}`;
          })
          .finally(() => process.kill(-pid, "SIGINT"));
      }
    });
    child.stderr.on("data", (d) => (err += String(d)));
    return new Promise((resolve) => {
      const timer = setTimeout(() => process.kill(-pid, "SIGKILL"), UP_TIMEOUT_MS);
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve({ code, out, err: err + err_ });
      });
    });
  }

  it("--once: the demo task completes and is charged; the screen has the summary, the files the logs", async () => {
    pgPort = await freePort();
    assert.equal(statSync(home).mode & 0o777, 0o700);
    const run = await up(["--once"]);
    assert.equal(run.code, 0, `${run.out}\n${run.err}`);
    assert.match(run.out, /^demo task +\S+ COMPLETED on local-worker-\d \(cpu\)$/m);
    assert.match(run.out, /^cost +0\.001 NEURO$/m);
    assert.match(run.out, new RegExp(`^logs +${join(dataDir, "logs")} `, "m"));
    const screen = `${run.out}\n${run.err}`;
    assert.doesNotMatch(screen, /^\{|\[[\w-]+\] \{|ECONNREFUSED|Error|EACCES/m);
    const files = readdirSync(join(dataDir, "logs"));
    for (const name of ["head.log", "local-worker-1.log", "local-worker-2.log", "postgres.log"])
      assert.ok(files.includes(name), files.join(", "));
    const headLines = readFileSync(join(dataDir, "logs", "head.log"), "utf8")
      .trim()
      .split("\n");
    assert.ok(headLines.some((line) => line.startsWith("{") && JSON.parse(line).component === "head"));
    assert.equal(await listening(pgPort), false, "PostgreSQL stopped");
  });

  it("Ctrl-C stops the api, the workers, the head and PostgreSQL in order, and prints no error", async () => {
    const run = await up([], async () => {});
    const screen = `${run.out}\n${run.err}`;
    assert.equal(run.code, 0, screen);
    assert.match(run.out, /^stopping: api, workers, head, then Redis and PostgreSQL\nstopped\n$/m);
    assert.doesNotMatch(screen, /ECONNREFUSED|Error|at .+:\d+:\d+\)/);
    const pids = [...run.out.matchAll(/\(pid (\d+)/g)].map((m) => Number(m[1]));
    assert.equal(pids.length, 4, run.out);
    assert.deepEqual(
      pids.filter((pid) => alive(pid)),
      [],
    );
    assert.equal(await listening(pgPort), false, "PostgreSQL stopped");
  });

  it("kill -9 of the head, a worker or the api: up starts it again, and tasks still complete", async () => {
    const pidOf = (out: string, name: string) =>
      Number(new RegExp(`^(?:worker +)?${name} +.*?\\(pid (\\d+)`, "m").exec(out)?.[1]);
    const restarted = async (out: () => string, name: string) => {
      const again = new RegExp(`^${name} +running again \\(pid (\\d+)\\)$`, "m");
      while (!again.test(out())) await new Promise((r) => setTimeout(r, 100));
    };
    const outcomes: string[] = [];
    const run = await up([], async (out) => {
      const apiUrl = /^api +(\S+)/m.exec(out())?.[1] ?? "";
      const apiKey = /^demo key +(\S+)/m.exec(out())?.[1] ?? "";
      for (const name of ["head", "local-worker-1", "api"]) {
        process.kill(pidOf(out(), name), "SIGKILL");
        await restarted(out, name);
        outcomes.push(`${name}: ${(await runDemoTask(apiUrl, apiKey)).status}`);
      }
    });
    const screen = `${run.out}\n${run.err}`;
    assert.equal(run.code, 0, screen);
    assert.deepEqual(outcomes, ["head: COMPLETED", "local-worker-1: COMPLETED", "api: COMPLETED"], screen);
    for (const name of ["head", "local-worker-1", "api"])
      assert.match(run.out, new RegExp(`^${name} +killed by SIGKILL; starting it again in`, "m"));
  });
});
