/**
 * A content-addressed cache of model files: `<cacheDir>/<sha256>.onnx` (data files that go with
 * a model keep their own extension).
 *
 * - Writes are atomic: the bytes go to a uniquely named temp file in the same directory, then
 *   `rename` puts them in place, so a reader (another actor process) never sees a partial file.
 *   Concurrent writers of the same model race harmlessly: both renames install identical bytes.
 * - An existing file is trusted only after its hash is checked; a corrupt one is replaced.
 * - Loading always verifies the expected sha256 and returns the verified bytes, which are what
 *   the caller hands to the runtime (no re-read between check and use).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ClusterError } from "../errors.js";

export interface CachedModelFile {
  path: string;
  sha256: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Makes sure `<cacheDir>/<sha256 of bytes><extension>` holds exactly these bytes (extension
 * ".onnx" for graphs; a model's data files, such as a dictionary, use their own).
 */
export async function ensureModelFile(
  cacheDir: string,
  bytes: Uint8Array,
  extension = ".onnx",
): Promise<CachedModelFile> {
  const sha256 = sha256Hex(bytes);
  const path = join(cacheDir, `${sha256}${extension}`);
  const existing = await readModelFileIfPresent(path);
  if (existing && sha256Hex(existing) === sha256) {
    return { path, sha256 };
  }
  await mkdir(cacheDir, { recursive: true });
  await installModelFile(path, bytes);
  return { path, sha256 };
}

/** Bytes -> a uniquely named temp file in the same directory -> rename into place (atomic). */
export async function installModelFile(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, bytes, { flag: "wx" });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw new ClusterError("INTERNAL", `cannot write model file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Reads a model file and returns its bytes only if their sha256 is the expected one. */
export async function loadModelFile(path: string, expectedSha256: string): Promise<Uint8Array> {
  const bytes = await readModelFileIfPresent(path);
  if (!bytes) {
    throw new ClusterError("INTERNAL", `model file ${path} does not exist`);
  }
  const actual = sha256Hex(bytes);
  if (actual !== expectedSha256.toLowerCase()) {
    throw new ClusterError(
      "INTERNAL",
      `model file ${path} failed its integrity check: sha256 is ${actual}, expected ${expectedSha256}; refusing to load it`,
    );
  }
  return bytes;
}

/** The file's bytes, or undefined when there is none. */
export async function readModelFileIfPresent(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ClusterError("INTERNAL", `cannot read model file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
