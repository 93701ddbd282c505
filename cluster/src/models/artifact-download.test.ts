/**
 * Artifact downloads into the model file cache, against a real HTTP server on 127.0.0.1: one
 * download per artifact, the token sent, integrity refused with both hashes and nothing left,
 * LRU eviction by total size that never takes the artifact being loaded, and several processes
 * fetching one artifact at once (real child processes) installing it intact.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ClusterError } from "../errors.js";
import { ArtifactFetchError, ArtifactIntegrityError, downloadArtifact } from "./artifact-download.js";
import { type ArtifactTestServer, startArtifactServer } from "./artifact-test-server.js";
import { sha256Hex } from "./model-file-cache.js";

const blob = (fill: number, size = 100) => new Uint8Array(size).fill(fill);
const pathOf = (b: Uint8Array) => `/models/${sha256Hex(b)}`;

describe("artifact download", () => {
  let dir: string;
  let server: ArtifactTestServer;
  const served = new Map<string, Uint8Array>();
  const ref = (b: Uint8Array, token = "nga.test") => ({
    url: server.url(pathOf(b)),
    sha256: sha256Hex(b),
    token,
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "artifact-download-"));
    server = await startArtifactServer(served, { token: "nga.test", slowChunks: 4 });
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("downloads once with the token, then serves the verified bytes from the cache", async () => {
    const cacheDir = join(dir, "once");
    const bytes = blob(1);
    served.set(pathOf(bytes), bytes);
    const opts = { cacheDir, maxBytes: 10_000 };
    const [a, b] = await Promise.all([
      downloadArtifact(ref(bytes), opts),
      downloadArtifact(ref(bytes), opts),
    ]);
    assert.equal(a.path, join(cacheDir, `${sha256Hex(bytes)}.onnx`));
    assert.equal(b.path, a.path);
    assert.deepEqual(new Uint8Array(a.bytes), bytes);
    assert.deepEqual(new Uint8Array(await readFile(a.path)), bytes);
    const again = await downloadArtifact(ref(bytes), opts);
    assert.equal(again.downloaded, false);
    assert.deepEqual(new Uint8Array(again.bytes), bytes);
    const mine = server.requests.filter((r) => r.path === pathOf(bytes));
    assert.equal(mine.length, 1, "concurrent and later uses share one download");
    assert.equal(mine[0]?.authorization, "Bearer nga.test");
    assert.deepEqual(await readdir(cacheDir), [`${sha256Hex(bytes)}.onnx`]);
  });

  test("refuses bytes whose sha256 is not the expected one, naming both, and writes nothing", async () => {
    const cacheDir = join(dir, "tampered");
    const genuine = blob(20);
    const other = blob(21);
    served.set(pathOf(genuine), other);
    await assert.rejects(downloadArtifact(ref(genuine), { cacheDir, maxBytes: 10_000 }), (err: unknown) => {
      assert.ok(err instanceof ArtifactIntegrityError);
      assert.ok(err instanceof ClusterError);
      assert.equal(err.reason, "ARTIFACT_INTEGRITY");
      assert.equal(err.expectedSha256, sha256Hex(genuine));
      assert.equal(err.actualSha256, sha256Hex(other));
      assert.match(err.message, new RegExp(`sha256 is ${sha256Hex(other)}, expected ${sha256Hex(genuine)}`));
      return true;
    });
    assert.deepEqual(await readdir(cacheDir), [], "no file, no temp file");
  });

  test("a corrupt cached file is fetched again", async () => {
    const cacheDir = join(dir, "corrupt");
    const bytes = blob(30);
    served.set(pathOf(bytes), bytes);
    const first = await downloadArtifact(ref(bytes), { cacheDir, maxBytes: 10_000 });
    await writeFile(first.path, blob(31));
    const second = await downloadArtifact(ref(bytes), { cacheDir, maxBytes: 10_000 });
    assert.equal(second.downloaded, true);
    assert.deepEqual(new Uint8Array(await readFile(second.path)), bytes);
  });

  test("keeps the cache under its limit, least recently used out first, never the artifact in use", async () => {
    const cacheDir = join(dir, "lru");
    const [x, y, z] = [blob(10), blob(11), blob(12)];
    for (const b of [x, y, z]) served.set(pathOf(b), b);
    const get = (b: Uint8Array) => downloadArtifact(ref(b), { cacheDir, maxBytes: 250 });
    await get(x);
    await get(y);
    const now = Date.now() / 1000;
    await utimes(join(cacheDir, `${sha256Hex(x)}.onnx`), now - 20, now - 20);
    await utimes(join(cacheDir, `${sha256Hex(y)}.onnx`), now - 10, now - 10);
    assert.equal((await get(x)).downloaded, false, "a hit marks x most recently used");
    const third = await get(z);
    assert.deepEqual(third.evicted, [sha256Hex(y)], "y, the least recently used, makes room");
    assert.deepEqual(
      (await readdir(cacheDir)).sort(),
      [`${sha256Hex(x)}.onnx`, `${sha256Hex(z)}.onnx`].sort(),
    );

    const big = blob(13, 400);
    served.set(pathOf(big), big);
    const alone = await get(big);
    assert.deepEqual(alone.evicted.sort(), [sha256Hex(x), sha256Hex(z)].sort(), "everything else goes");
    assert.deepEqual(await readdir(cacheDir), [`${sha256Hex(big)}.onnx`], "the artifact in use stays, alone");
    assert.deepEqual(new Uint8Array(alone.bytes), big);
  });

  test("an unauthorised or unknown artifact is refused by code, with nothing written", async () => {
    const cacheDir = join(dir, "refused");
    const bytes = blob(40);
    served.set(pathOf(bytes), bytes);
    await assert.rejects(
      downloadArtifact(ref(bytes, "nga.wrong"), { cacheDir, maxBytes: 10_000 }),
      (err: unknown) =>
        err instanceof ArtifactFetchError &&
        err.code === "UNAUTHENTICATED" &&
        err.status === 401 &&
        /HTTP 401: .*invalid token/.test(err.message),
    );
    await assert.rejects(
      downloadArtifact(ref(blob(41)), { cacheDir, maxBytes: 10_000 }),
      (err: unknown) => err instanceof ArtifactFetchError && err.code === "NOT_FOUND",
    );
    assert.deepEqual(await readdir(cacheDir), []);
  });

  test("several processes fetching one artifact at once each get it intact, in one file", async () => {
    const cacheDir = join(dir, "processes");
    const bytes = new Uint8Array(2 * 1024 * 1024).map((_, i) => (i * 7919) % 251);
    // A body that takes a second to arrive, so the processes' downloads overlap.
    const slow = await startArtifactServer(new Map([[pathOf(bytes), bytes]]), {
      token: "nga.test",
      slowChunks: 100,
    });
    try {
      await fetchFromProcesses(slow, bytes, cacheDir);
    } finally {
      await slow.close();
    }
    assert.ok(slow.requests.length >= 2, `downloads overlapped: ${slow.requests.length} requests`);
    assert.deepEqual(await readdir(cacheDir), [`${sha256Hex(bytes)}.onnx`], "one file, no temp files");
    assert.equal(sha256Hex(await readFile(join(cacheDir, `${sha256Hex(bytes)}.onnx`))), sha256Hex(bytes));
  });
});

/** Four child processes fetch the same artifact into one cache directory at once. */
async function fetchFromProcesses(slow: ArtifactTestServer, bytes: Uint8Array, cacheDir: string) {
  const module = fileURLToPath(new URL("./artifact-download.js", import.meta.url));
  const script = `
      const [module, url, sha256, cacheDir] = process.argv.slice(1);
      const { downloadArtifact } = await import(module);
      const got = await downloadArtifact({ url, sha256, token: "nga.test" }, { cacheDir, maxBytes: 1e9 });
      process.stdout.write(got.sha256);`;
  const run = promisify(execFile);
  const outputs = await Promise.all(
    Array.from({ length: 4 }, () =>
      run(
        process.execPath,
        ["--input-type=module", "-e", script, module, slow.url(pathOf(bytes)), sha256Hex(bytes), cacheDir],
        { timeout: 60_000 },
      ),
    ),
  );
  for (const { stdout } of outputs) assert.equal(stdout, sha256Hex(bytes));
}
