/**
 * `neurogrid dispatcher` needs the api's secret (it signs the artifact tokens of the model actors
 * it creates): without NEUROGRID_JWT_SECRET it refuses to start, rather than sign with a
 * hard-coded fallback anyone can read.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { CLI } from "../testing/local-cluster.js";
import { testRedisUrl } from "../testing/test-database.js";

test("neurogrid dispatcher without NEUROGRID_JWT_SECRET exits at once, naming it", async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("NEUROGRID_")));
  const child = spawn(
    process.execPath,
    [
      CLI,
      "dispatcher",
      "--database-url",
      "postgres://postgres@127.0.0.1:5432/postgres",
      "--redis-url",
      testRedisUrl(),
      "--head",
      "127.0.0.1:1",
    ],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += String(d)));
  child.stderr.on("data", (d) => (output += String(d)));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(null);
    }, 15_000);
    child.on("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.notEqual(code, null, `it kept running: ${output}`);
  assert.notEqual(code, 0);
  assert.match(output, /NEUROGRID_JWT_SECRET/);
  assert.doesNotMatch(output, /dispatcher running/);
});
