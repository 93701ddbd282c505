/**
 * `npx neurogrid …` right after `npm install` on a fresh clone: npm links a package's bin only if
 * the file exists at install time, before `npm run build` has made dist/. The bin is a committed
 * shim (api/bin/neurogrid.js) that starts the built CLI, or says in one sentence to build first.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const API = join(ROOT, "api");
const bin = (JSON.parse(readFileSync(join(API, "package.json"), "utf8")) as { bin: { neurogrid: string } })
  .bin.neurogrid;

test("the neurogrid bin is a committed file, not a build output", () => {
  assert.doesNotMatch(bin, /^(\.\/)?dist\//, "npm cannot link a bin that is built after install");
  const tracked = execFileSync("git", ["ls-files", "--error-unmatch", bin], { cwd: API, encoding: "utf8" });
  assert.equal(tracked.trim(), bin);
});

test("npx neurogrid runs the built CLI through the linked bin", () => {
  assert.equal(realpathSync(join(ROOT, "node_modules/.bin/neurogrid")), realpathSync(join(API, bin)));
  const run = spawnSync("npx", ["--no-install", "neurogrid", "--help"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Usage: neurogrid/);
  assert.match(run.stdout, /\bup\b/);
});

test("before the build, the bin says to build first and exits 1", () => {
  const clone = mkdtempSync(join(tmpdir(), "neurogrid-bin-"));
  try {
    mkdirSync(join(clone, "bin"));
    writeFileSync(join(clone, "package.json"), readFileSync(join(API, "package.json")));
    copyFileSync(join(API, bin), join(clone, "bin/neurogrid.js"));
    const run = spawnSync(process.execPath, [join(clone, "bin/neurogrid.js"), "up"], { encoding: "utf8" });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /^neurogrid is not built yet: run `npm run build`[^\n]*\n$/);
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
});
