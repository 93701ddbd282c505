/**
 * A worker's content-addressed cache of registered model artifacts, filled from the api on
 * first use: `<dir>/<sha256>.onnx`, the same layout as the cluster's model file cache, so a
 * file fetched here is one the model actor loads by path + sha256.
 *
 *   hit:  the file exists and hashes to its name -> its mtime is touched (most recently used)
 *   miss: GET <url> with the node token -> the bytes must hash to the expected sha256, else
 *         they are refused (nothing is written) -> written atomically (temp file + rename)
 *   then: least recently used files (oldest mtime) are deleted until the directory's total
 *         size is within maxBytes; the file just used, and any pinned (loaded) ones, are kept
 *         even if they alone exceed it.
 *
 * Pure of configuration: the caller passes the directory, the limit, the credential and (for
 * tests) a fetch. Concurrent fetches of one artifact in one process share one download.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface ArtifactCacheOptions {
  dir: string;
  /** Total bytes the cache may hold (after the artifact in use is kept). */
  maxBytes: number;
  /** Sent as `Authorization: Bearer <token>`: the worker's node token. */
  token?: string;
  /** sha256s never evicted (artifacts loaded by live actors). */
  pinned?: ReadonlySet<string>;
  fetch?: typeof fetch;
}

export interface FetchedArtifact {
  path: string;
  sha256: string;
  sizeBytes: number;
  /** false when it was already in the cache. */
  downloaded: boolean;
  /** sha256s of the files evicted to make room. */
  evicted: string[];
}

export class ArtifactIntegrityError extends Error {
  override readonly name = "ArtifactIntegrityError";
  readonly code = "ARTIFACT_INTEGRITY";
}

export class ArtifactFetchError extends Error {
  override readonly name = "ArtifactFetchError";
  readonly code = "ARTIFACT_FETCH";
}

const inFlight = new Map<string, Promise<FetchedArtifact>>();

export function fetchModelArtifact(
  artifact: { sha256: string; url: string },
  opts: ArtifactCacheOptions,
): Promise<FetchedArtifact> {
  const sha256 = artifact.sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    return Promise.reject(new ArtifactFetchError(`not a sha256: ${artifact.sha256}`));
  }
  const key = `${opts.dir}\0${sha256}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchOnce(sha256, artifact.url, opts).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function fetchOnce(sha256: string, url: string, opts: ArtifactCacheOptions): Promise<FetchedArtifact> {
  const path = join(opts.dir, `${sha256}.onnx`);
  await mkdir(opts.dir, { recursive: true });
  let downloaded = false;
  let size: number;
  const cached = await readIfPresent(path);
  if (cached && sha256Hex(cached) === sha256) {
    size = cached.byteLength;
    const now = new Date();
    await utimes(path, now, now);
  } else {
    const bytes = await download(sha256, url, opts);
    const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(temp, bytes, { flag: "wx" });
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
    }
    size = bytes.byteLength;
    downloaded = true;
  }
  const evicted = await evictLeastRecentlyUsed(
    opts.dir,
    opts.maxBytes,
    new Set([sha256, ...(opts.pinned ?? [])]),
  );
  return { path, sha256, sizeBytes: size, downloaded, evicted };
}

async function download(sha256: string, url: string, opts: ArtifactCacheOptions): Promise<Uint8Array> {
  const doFetch = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, { headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {} });
  } catch (err) {
    throw new ArtifactFetchError(
      `cannot fetch model artifact ${sha256} from ${url}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (!res.ok) {
    throw new ArtifactFetchError(`fetching model artifact ${sha256} from ${url}: HTTP ${res.status}`);
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  const actual = sha256Hex(bytes);
  if (actual !== sha256) {
    throw new ArtifactIntegrityError(
      `model artifact from ${url} failed its integrity check: sha256 is ${actual}, expected ${sha256}; refusing it`,
    );
  }
  return bytes;
}

/** Deletes the oldest-used `<sha256>.onnx` files until the total is within maxBytes. */
export async function evictLeastRecentlyUsed(
  dir: string,
  maxBytes: number,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const files: { sha256: string; path: string; size: number; usedAt: number }[] = [];
  for (const name of await readdir(dir)) {
    const match = /^([0-9a-f]{64})\.onnx$/.exec(name);
    if (!match?.[1]) continue;
    const path = join(dir, name);
    const s = await stat(path).catch(() => undefined);
    if (s?.isFile()) files.push({ sha256: match[1], path, size: s.size, usedAt: s.mtimeMs });
  }
  let total = files.reduce((sum, f) => sum + f.size, 0);
  const evicted: string[] = [];
  for (const f of files.sort((a, b) => a.usedAt - b.usedAt)) {
    if (total <= maxBytes) break;
    if (keep.has(f.sha256)) continue;
    await rm(f.path, { force: true });
    total -= f.size;
    evicted.push(f.sha256);
  }
  return evicted;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function readIfPresent(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
