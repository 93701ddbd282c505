/**
 * Registered model artifacts fetched over HTTP into a worker's content-addressed model file
 * cache (model-file-cache.ts): `<cacheDir>/<sha256>.onnx`, the layout every model file takes,
 * so a downloaded artifact is loaded exactly like any other model file.
 *
 *   hit:   the file exists and hashes to the expected sha256 -> its mtime is touched (most
 *          recently used) and its verified bytes are returned; a corrupt file is fetched again
 *   miss:  GET <url> (`Authorization: Bearer <token>`, a per-artifact capability the api signs,
 *          and the node's own token in NODE_CREDENTIAL_HEADER when the worker has one)
 *          -> the whole body must hash to the expected sha256, else ArtifactIntegrityError naming
 *          both hashes, and nothing is written: bad bytes never reach the cache directory
 *          -> written atomically (model-file-cache.ts installModelFile), so actor processes on
 *          one machine fetching the same artifact at once each install identical bytes and a
 *          reader never sees a partial file
 *   then:  least recently used files (oldest mtime) are deleted until the directory's
 *          content-addressed files total at most maxBytes. The artifact being loaded, and any
 *          `keep` ones, are never deleted, even if they alone exceed the limit.
 *
 * The caller gets the verified bytes themselves (not a path to re-read), so another process's
 * eviction between the rename and the load cannot take the file from under it. Within one
 * process, concurrent fetches of one artifact share one download.
 *
 * Errors are ClusterErrors (the actor host forwards their code): ArtifactIntegrityError
 * (INTERNAL: the bytes are not the artifact asked for) and ArtifactFetchError (UNAUTHENTICATED
 * on 401/403, NOT_FOUND on 404, UNAVAILABLE otherwise).
 */
import { mkdir, readdir, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { NODE_CREDENTIAL_HEADER } from "@neurogrid/schema";
import { ClusterError, type ClusterErrorCode } from "../errors.js";
import { installModelFile, readModelFileIfPresent, sha256Hex } from "./model-file-cache.js";

/** The default total size of a worker's model file cache: 10 GiB. */
export const DEFAULT_ARTIFACT_CACHE_LIMIT_BYTES = 10 * 1024 ** 3;

/** Temp files older than this are left over from a crashed writer, and are removed. */
const STALE_TEMP_MS = 60 * 60 * 1000;

export interface ArtifactRef {
  /** Where to GET the bytes (the api's /models/<sha256>). */
  url: string;
  /** The sha256 the bytes must have; also the file's name in the cache. */
  sha256: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** The downloading node's token, sent as NODE_CREDENTIAL_HEADER (the api checks which node asks). */
  nodeToken?: string | undefined;
}

export interface ArtifactDownloadOptions {
  cacheDir: string;
  /** Total bytes of content-addressed files the cache may keep (the artifact in use is kept). */
  maxBytes: number;
  /** sha256s never evicted (beside the one being fetched). */
  keep?: ReadonlySet<string>;
  /** For tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

export interface DownloadedArtifact {
  path: string;
  sha256: string;
  /** Verified bytes: hand these (not the path) to the runtime. */
  bytes: Uint8Array;
  /** false when the cache already held it. */
  downloaded: boolean;
  /** sha256s of the files evicted to make room. */
  evicted: string[];
}

/** The bytes served are not the artifact that was asked for. */
export class ArtifactIntegrityError extends ClusterError {
  readonly reason = "ARTIFACT_INTEGRITY";
  constructor(
    readonly url: string,
    readonly expectedSha256: string,
    readonly actualSha256: string,
  ) {
    super(
      "INTERNAL",
      `model artifact from ${url} failed its integrity check: sha256 is ${actualSha256}, expected ${expectedSha256}; refusing to load it`,
    );
  }
}

/** The artifact could not be fetched (network, HTTP status). */
export class ArtifactFetchError extends ClusterError {
  readonly reason = "ARTIFACT_FETCH";
  constructor(
    code: ClusterErrorCode,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

const inFlight = new Map<string, Promise<DownloadedArtifact>>();

/** The artifact's verified bytes, from the cache or downloaded into it; see the file header. */
export function downloadArtifact(
  ref: ArtifactRef,
  opts: ArtifactDownloadOptions,
): Promise<DownloadedArtifact> {
  const sha256 = ref.sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    return Promise.reject(new ClusterError("INVALID_ARGUMENT", `not a sha256: ${ref.sha256}`));
  }
  const key = `${opts.cacheDir}\0${sha256}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchOnce({ ...ref, sha256 }, opts).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function fetchOnce(ref: ArtifactRef, opts: ArtifactDownloadOptions): Promise<DownloadedArtifact> {
  const { sha256 } = ref;
  const path = join(opts.cacheDir, `${sha256}.onnx`);
  await mkdir(opts.cacheDir, { recursive: true });
  let bytes = await readModelFileIfPresent(path);
  let downloaded = false;
  if (bytes && sha256Hex(bytes) === sha256) {
    const now = new Date();
    await utimes(path, now, now).catch(() => {});
  } else {
    bytes = await download(ref, opts.fetch ?? fetch);
    await installModelFile(path, bytes);
    downloaded = true;
  }
  const evicted = await evictLeastRecentlyUsed(
    opts.cacheDir,
    opts.maxBytes,
    new Set([sha256, ...(opts.keep ?? [])]),
  );
  return { path, sha256, bytes, downloaded, evicted };
}

async function download(ref: ArtifactRef, doFetch: typeof fetch): Promise<Uint8Array> {
  const label = `model artifact ${ref.sha256} from ${ref.url}`;
  let res: Response;
  try {
    const headers: Record<string, string> = {};
    if (ref.token) headers.authorization = `Bearer ${ref.token}`;
    if (ref.nodeToken) headers[NODE_CREDENTIAL_HEADER] = ref.nodeToken;
    res = await doFetch(ref.url, { headers });
  } catch (err) {
    throw new ArtifactFetchError("UNAVAILABLE", `cannot fetch ${label}: ${causeOf(err)}`, undefined, {
      cause: err,
    });
  }
  if (!res.ok) {
    const detail = (await res.text().catch(() => "")).slice(0, 200);
    const code: ClusterErrorCode =
      res.status === 401 || res.status === 403
        ? "UNAUTHENTICATED"
        : res.status === 404
          ? "NOT_FOUND"
          : "UNAVAILABLE";
    throw new ArtifactFetchError(
      code,
      `fetching ${label}: HTTP ${res.status}${detail ? `: ${detail}` : ""}`,
      res.status,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    throw new ArtifactFetchError("UNAVAILABLE", `reading ${label}: ${causeOf(err)}`, res.status, {
      cause: err,
    });
  }
  const actual = sha256Hex(bytes);
  if (actual !== ref.sha256) throw new ArtifactIntegrityError(ref.url, ref.sha256, actual);
  return bytes;
}

/**
 * Deletes the least recently used (oldest mtime) `<sha256>.<ext>` files of `dir` until they
 * total at most maxBytes, never one whose sha256 is in `keep`; also removes temp files a crashed
 * writer left. Returns the sha256s deleted, oldest first.
 */
export async function evictLeastRecentlyUsed(
  dir: string,
  maxBytes: number,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const files: { sha256: string; path: string; size: number; usedAt: number }[] = [];
  const now = Date.now();
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const s = await stat(path).catch(() => undefined);
    if (!s?.isFile()) continue;
    if (name.endsWith(".tmp")) {
      if (now - s.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
      continue;
    }
    const match = /^([0-9a-f]{64})\.[A-Za-z0-9]+$/.exec(name);
    if (match?.[1]) files.push({ sha256: match[1], path, size: s.size, usedAt: s.mtimeMs });
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

/** The message of an error, with undici's "fetch failed" made specific by its cause. */
function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
