/**
 * The structured logger in a real child process writing to a pipe, as the head, workers and
 * actors run it: info lines are buffered and reach the pipe within the flush interval, a
 * warning is written at once together with the lines before it, and whatever is buffered is
 * written when the process exits.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const LOGGER = fileURLToPath(new URL("./logger.js", import.meta.url));

function child(script: string) {
  const proc = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: { at: number; line: Record<string, unknown> }[] = [];
  let rest = "";
  proc.stderr.on("data", (chunk: Buffer) => {
    rest += chunk.toString();
    const parts = rest.split("\n");
    rest = parts.pop() ?? "";
    for (const part of parts) if (part.trim()) lines.push({ at: Date.now(), line: JSON.parse(part) });
  });
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, lines, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("info lines are buffered briefly, a warning goes out at once after them, exit flushes the rest", async () => {
  const { proc, lines, exited } = child(`
    import { createLogger, logFn } from ${JSON.stringify(LOGGER)};
    const log = logFn(createLogger({ bindings: { component: "test" } }));
    log("one");
    log("two", { traceId: "t-2" });
    process.stdin.once("data", () => {
      log("careful", { level: "warn" });
      process.stdin.once("data", () => {
        log("last words");
        process.exit(0);
      });
    });
  `);
  // Within the flush interval the buffered lines arrive, in order, with their fields.
  for (let i = 0; i < 100 && lines.length < 2; i++) await sleep(20);
  assert.deepEqual(
    lines.map((l) => l.line.msg),
    ["one", "two"],
  );
  assert.equal(lines[1]?.line.traceId, "t-2");
  assert.equal(lines[0]?.line.component, "test");
  proc.stdin.write("x");
  for (let i = 0; i < 100 && lines.length < 3; i++) await sleep(5);
  assert.equal(lines[2]?.line.msg, "careful");
  assert.equal(lines[2]?.line.level, "warn");
  proc.stdin.write("x");
  assert.equal(await exited, 0);
  await sleep(50);
  assert.equal(lines.at(-1)?.line.msg, "last words", "written as the process exits");
});
