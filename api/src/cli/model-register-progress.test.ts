/**
 * `neurogrid model register` run as an operator runs it, as a child process (stderr is a pipe
 * here, so the progress is plain lines), against a PostgreSQL test database: its steps show on
 * stderr, stdout keeps only the result (one line, or one JSON object with --json, when no
 * progress is shown), --quiet leaves stderr empty, and a failure says at which step.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildMlpClassifierOnnx, mlpClassifierManifest, sha256Hex } from "@neurogrid/cluster/models";
import { migrate, openOrm } from "../db/orm.js";
import { runCli } from "../testing/local-cluster.js";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.js";

describe("`neurogrid model register` progress", { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let dir: string;
  let manifestPath: string;
  let onnxPath: string;
  const onnx = buildMlpClassifierOnnx();
  const sha256 = sha256Hex(onnx);

  const cli = runCli;
  const register = (...extra: string[]) =>
    cli([
      "model",
      "register",
      "--manifest",
      manifestPath,
      "--onnx",
      onnxPath,
      "--database-url",
      db.url,
      "--cache-dir",
      join(dir, "cache"),
      ...extra,
    ]);
  const progressLines = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("model register"));

  before(async () => {
    db = await createTestDatabase();
    const orm = await openOrm(db.url);
    await migrate(orm);
    await orm.close();
    dir = await mkdtemp(join(tmpdir(), "model-register-progress-"));
    manifestPath = join(dir, "manifest.json");
    onnxPath = join(dir, "model.onnx");
    const manifest = { ...mlpClassifierManifest, name: "progress-cli-mlp", version: "0.1.0" };
    await writeFile(manifestPath, JSON.stringify(manifest));
    await writeFile(onnxPath, onnx);
  });

  after(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("shows each step on stderr and keeps stdout to the result", async () => {
    const { code, stdout, stderr } = await register();
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `registered progress-cli-mlp@0.1.0 sha256 ${sha256} (${onnx.byteLength} bytes)\n`);
    const lines = progressLines(stderr);
    assert.deepEqual(lines.slice(0, 4), [
      "model register [1/4] reading the manifest manifest.json",
      "model register [2/4] reading model.onnx",
      "model register [3/4] connecting to the database",
      `model register [4/4] hashing and storing ${onnx.byteLength} bytes`,
    ]);
    assert.match(lines[4] ?? "", /^model register done in \d+\.\ds$/);
    assert.equal(lines.length, 5);
    assert.ok(!stderr.includes("\r") && !stderr.includes("\x1b"), "no terminal control characters in a pipe");
  });

  it("prints one JSON object and no progress with --json", async () => {
    const { code, stdout, stderr } = await register("--json");
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), {
      created: false,
      name: "progress-cli-mlp",
      version: "0.1.0",
      sha256,
      sizeBytes: onnx.byteLength,
    });
    assert.deepEqual(progressLines(stderr), []);
  });

  it("is silent on stderr with --quiet", async () => {
    const { code, stdout, stderr } = await register("--quiet");
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "");
    assert.match(stdout, /^already registered progress-cli-mlp@0\.1\.0 sha256 [0-9a-f]{64} /);
  });

  it("says at which step it failed", async () => {
    const { code, stdout, stderr } = await cli([
      "model",
      "register",
      "--manifest",
      join(dir, "missing.json"),
      "--onnx",
      onnxPath,
      "--database-url",
      db.url,
    ]);
    assert.equal(code, 1);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^model register \[1\/4\] reading the manifest missing\.json\nmodel register failed at \[1\/4\] reading the manifest missing\.json after \d+\.\ds\nneurogrid: cannot read the manifest /,
    );
  });
});
