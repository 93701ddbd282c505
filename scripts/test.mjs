#!/usr/bin/env node
// Runs every compiled test file of the four packages with node's built-in test runner, so CI
// reads one summary. Unit tests sit next to the code (src/**/x.test.ts -> dist/**/x.test.js);
// integration tests start real PostgreSQL databases, Redis prefixes, gRPC servers and child
// processes on loopback. Pass file filters as arguments: `npm test -- ledger`.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const packages = ["schema", "contracts", "cluster", "api"];
const filters = process.argv.slice(2);

function walk(dir) {
  let out = [];
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out = out.concat(walk(full));
    else if (name.endsWith(".test.js")) out.push(full);
  }
  return out;
}

const files = packages
  .flatMap((p) => walk(join(p, "dist")))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error("no test files found: run `npm run build` first");
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? "2";
const child = spawn(
  process.execPath,
  ["--test", `--test-concurrency=${concurrency}`, "--test-timeout=180000", ...files],
  { stdio: "inherit" },
);
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
