/**
 * The Node versions the README and `engines` promise are the versions every installed dependency
 * supports: otherwise `npm ci` warns EBADENGINE, and the promise is false. Checked on the lockfile,
 * as npm would install it on this platform (packages for other platforms are skipped).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import semver from "semver";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const json = (path: string) => JSON.parse(readFileSync(join(ROOT, path), "utf8"));

interface LockEntry {
  version?: string;
  engines?: { node?: string };
  os?: string[];
  cpu?: string[];
}

const matches = (allowed: string[] | undefined, actual: string) =>
  allowed === undefined ||
  (allowed.some((a) => !a.startsWith("!")) ? allowed.includes(actual) : !allowed.includes(`!${actual}`));

const promised: string = json("package.json").engines.node;

test("every workspace promises the root's Node versions", () => {
  for (const workspace of json("package.json").workspaces as string[]) {
    assert.equal(json(`${workspace}/package.json`).engines.node, promised, workspace);
  }
  assert.ok(semver.validRange(promised), promised);
});

test("every dependency npm installs here supports every Node version promised", () => {
  const packages = json("package-lock.json").packages as Record<string, LockEntry>;
  const unsupported = Object.entries(packages)
    .filter(
      ([path, entry]) =>
        path !== "" && matches(entry.os, process.platform) && matches(entry.cpu, process.arch),
    )
    .filter(([, entry]) => entry.engines?.node !== undefined && !semver.subset(promised, entry.engines.node))
    .map(([path, entry]) => `${path}@${entry.version} needs node ${entry.engines?.node}`);
  assert.deepEqual(unsupported, [], `promised node ${promised}`);
});

test("the Node running this is one of those promised", () => {
  assert.ok(semver.satisfies(process.version, promised), `${process.version} is outside ${promised}`);
});
