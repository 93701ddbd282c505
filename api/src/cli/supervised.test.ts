import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import type { Child } from "./child-process.js";
import { restartBackoffMs, Supervised } from "./supervised.js";

/** A real child process that lives until it is killed. */
function sleeper(): Child {
  const proc: ChildProcess = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
    stdio: "ignore",
  });
  return {
    name: "sleeper",
    process: proc,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      await once(proc, "exit");
    },
  };
}

function until(lines: string[], pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const look = () => (lines.some((l) => pattern.test(l)) ? resolve() : setImmediate(look));
    look();
  });
}

test("a child killed with SIGKILL is started again, and the screen says so", async () => {
  const lines: string[] = [];
  let starts = 0;
  const supervised = await Supervised.start({
    name: "head",
    start: async () => {
      starts += 1;
      return sleeper();
    },
    say: (line) => lines.push(line),
    backoffMs: () => 10,
  });
  try {
    const first = supervised.pid as number;
    process.kill(first, "SIGKILL");
    await until(lines, /running again/);
    assert.equal(starts, 2);
    assert.equal(supervised.restarts, 1);
    assert.notEqual(supervised.pid, first);
    assert.match(lines[0] ?? "", /^head killed by SIGKILL; starting it again in 0\.0 s$/);
    assert.match(lines[1] ?? "", new RegExp(`^head running again \\(pid ${supervised.pid}\\)$`));
  } finally {
    await supervised.stop();
  }
});

test("a start that fails is tried again; stop() ends the supervision and the child", async () => {
  const lines: string[] = [];
  let starts = 0;
  const supervised = await Supervised.start({
    name: "worker",
    start: async () => {
      starts += 1;
      if (starts === 2) throw new Error("port in use");
      return sleeper();
    },
    say: (line) => lines.push(line),
    backoffMs: () => 10,
  });
  process.kill(supervised.pid as number, "SIGKILL");
  await until(lines, /running again/);
  assert.equal(starts, 3);
  assert.ok(lines.some((l) => /did not start \(port in use\)/.test(l)));
  const pid = supervised.pid as number;
  await supervised.stop();
  assert.throws(() => process.kill(pid, 0), "the child is gone");
  assert.equal(starts, 3, "a stopped child is not started again");
});

test("stop() during a backoff starts nothing more", async () => {
  const lines: string[] = [];
  let starts = 0;
  const supervised = await Supervised.start({
    name: "api",
    start: async () => {
      starts += 1;
      return sleeper();
    },
    say: (line) => lines.push(line),
    backoffMs: () => 60_000,
  });
  process.kill(supervised.pid as number, "SIGKILL");
  await until(lines, /starting it again in 60\.0 s/);
  await supervised.stop();
  assert.equal(starts, 1);
});

test("the backoff doubles in a crash loop, up to 30 s", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map(restartBackoffMs),
    [1000, 2000, 4000, 8000, 16000, 30000, 30000],
  );
});
