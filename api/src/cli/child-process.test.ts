/**
 * Starting children: a port picked for a child to bind later, and a child that exits before it
 * is ready (real child processes and sockets on this machine).
 */
import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { freePort, startNodeChild } from "./child-process.js";

const listen = (port: number) =>
  new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });

test("a picked port is free to bind, and lies below the range the system hands out itself", async () => {
  const range = await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8").catch(() => undefined);
  const low = range === undefined ? undefined : Number(range.trim().split(/\s+/)[0]);
  for (let i = 0; i < 5; i++) {
    const port = await freePort();
    if (low !== undefined && low > 11_000) assert.ok(port < low, `${port} is below ${low}`);
    const server = await listen(port);
    await new Promise((resolve) => server.close(resolve));
  }
});

test("a child that exits before it is ready fails with what it said last", async () => {
  const script = join(tmpdir(), `ng-early-exit-${process.pid}.mjs`);
  await writeFile(
    script,
    'console.log("starting");\nconsole.error("listen EADDRINUSE: address already in use 127.0.0.1:4000");\nprocess.exit(1);\n',
  );
  try {
    await assert.rejects(
      startNodeChild({ name: "early", script, args: [], ready: /listening/, env: process.env }),
      (err: Error) => {
        assert.match(err.message, /^early exited before it was ready \(code 1, signal null\)/);
        // Its stdout and stderr are two pipes: the lines are there, in whichever order they came.
        assert.match(err.message, /; its last output:\n/);
        assert.match(err.message, /\nstarting(\n|$)/);
        assert.match(err.message, /\nlisten EADDRINUSE: address already in use 127\.0\.0\.1:4000(\n|$)/);
        return true;
      },
    );
  } finally {
    await rm(script, { force: true });
  }
});
