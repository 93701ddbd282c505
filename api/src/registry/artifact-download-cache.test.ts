import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ArtifactIntegrityError, fetchModelArtifact } from "./artifact-download-cache.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const blob = (fill: number, size = 100) => new Uint8Array(size).fill(fill);

/** A fake api: serves the bytes registered under each URL, counting requests and their tokens. */
function fakeApi(served: Map<string, Uint8Array>) {
  const calls: { url: string; auth: string | undefined }[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    const u = String(url);
    calls.push({ url: u, auth: (init?.headers as Record<string, string> | undefined)?.authorization });
    const bytes = served.get(u);
    return bytes ? new Response(bytes) : new Response("no", { status: 404 });
  }) as typeof fetch;
  return { fetchFn, calls };
}

describe("artifact download cache", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "artifact-cache-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("downloads once with the node token, then serves from the cache", async () => {
    const bytes = blob(1);
    const url = `http://api/models/${sha(bytes)}`;
    const { fetchFn, calls } = fakeApi(new Map([[url, bytes]]));
    const opts = { dir, maxBytes: 10_000, token: "ngn.x.y", fetch: fetchFn };
    const [a, b] = await Promise.all([
      fetchModelArtifact({ sha256: sha(bytes), url }, opts),
      fetchModelArtifact({ sha256: sha(bytes), url }, opts),
    ]);
    assert.equal(a.path, join(dir, `${sha(bytes)}.onnx`));
    assert.equal(b.path, a.path);
    assert.deepEqual(new Uint8Array(await readFile(a.path)), bytes);
    const again = await fetchModelArtifact({ sha256: sha(bytes), url }, opts);
    assert.equal(again.downloaded, false);
    assert.equal(calls.length, 1, "concurrent and later uses share one download");
    assert.equal(calls[0]?.auth, "Bearer ngn.x.y");
  });

  test("evicts the least recently used artifacts when the total exceeds the limit", async () => {
    const sub = await mkdtemp(join(dir, "lru-"));
    const [x, y, z] = [blob(10), blob(11), blob(12)];
    const served = new Map([x, y, z].map((b) => [`http://api/models/${sha(b)}`, b] as const));
    const { fetchFn } = fakeApi(served);
    const opts = { dir: sub, maxBytes: 250, fetch: fetchFn };
    const get = (b: Uint8Array) =>
      fetchModelArtifact({ sha256: sha(b), url: `http://api/models/${sha(b)}` }, opts);
    await get(x);
    await get(y);
    const now = Date.now() / 1000;
    await utimes(join(sub, `${sha(x)}.onnx`), now - 20, now - 20);
    await utimes(join(sub, `${sha(y)}.onnx`), now - 10, now - 10);
    assert.equal((await get(x)).downloaded, false, "a hit marks x most recently used");
    const third = await get(z);
    assert.deepEqual(third.evicted, [sha(y)], "y, the least recently used, makes room");
    const left = (await readdir(sub)).sort();
    assert.deepEqual(left, [`${sha(x)}.onnx`, `${sha(z)}.onnx`].sort());

    const big = blob(13, 400);
    served.set(`http://api/models/${sha(big)}`, big);
    const alone = await get(big);
    assert.deepEqual(alone.evicted.sort(), [sha(x), sha(z)].sort(), "everything else goes");
    assert.deepEqual(
      await readdir(sub),
      [`${sha(big)}.onnx`],
      "the artifact in use stays, even alone over the limit",
    );
  });

  test("a tampered download is refused and nothing is written", async () => {
    const sub = await mkdtemp(join(dir, "tamper-"));
    const genuine = blob(20);
    const url = `http://api/models/${sha(genuine)}`;
    const { fetchFn } = fakeApi(new Map([[url, blob(21)]]));
    await assert.rejects(
      fetchModelArtifact({ sha256: sha(genuine), url }, { dir: sub, maxBytes: 10_000, fetch: fetchFn }),
      (err: unknown) =>
        err instanceof ArtifactIntegrityError &&
        err.code === "ARTIFACT_INTEGRITY" &&
        err.message.includes(`expected ${sha(genuine)}`),
    );
    assert.deepEqual(await readdir(sub), []);
  });

  test("a corrupt cached file is replaced by a fresh download", async () => {
    const sub = await mkdtemp(join(dir, "corrupt-"));
    const bytes = blob(30);
    const url = `http://api/models/${sha(bytes)}`;
    const { fetchFn, calls } = fakeApi(new Map([[url, bytes]]));
    const opts = { dir: sub, maxBytes: 10_000, fetch: fetchFn };
    const first = await fetchModelArtifact({ sha256: sha(bytes), url }, opts);
    await rm(first.path);
    await import("node:fs/promises").then((fs) => fs.writeFile(first.path, blob(31)));
    const second = await fetchModelArtifact({ sha256: sha(bytes), url }, opts);
    assert.equal(second.downloaded, true);
    assert.equal(calls.length, 2);
    assert.deepEqual(new Uint8Array(await readFile(second.path)), bytes);
  });
});
