/**
 * The cluster secret of a head started without TLS and without --cluster-secret (a bare
 * `neurogrid head` on loopback): identity is checked all the same. The head makes a secret (or
 * takes the one a head on the same port left, so that its workers keep theirs across a restart)
 * and writes it where only this user can read it, the way Ray writes its session credentials:
 *
 *   <tmpdir>/neurogrid-<uid>/head-<port>.secret     directory 0700, file 0600, owned by this user
 *
 * A worker and a driver on the same machine that are given neither TLS nor a secret read it
 * there for the head's port (a worker acts with it as its node, a driver client mints a driver
 * credential from it). Another user cannot read it; a directory or file that another user owns,
 * or that others may read, is refused rather than trusted.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { ClusterError } from "../errors.js";
import { isLoopbackAddress } from "../grpc/tls.js";

/** Bytes of a generated secret (base64url: 43 characters, over the 32 a secret must have). */
const SECRET_BYTES = 32;
const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** The directory this user's local cluster secrets live in. */
function localSecretDir(): string {
  return join(tmpdir(), `neurogrid-${userInfo().uid}`);
}

/** The file of the head listening on `port`. */
export function localSecretFile(port: number, dir: string = localSecretDir()): string {
  return join(dir, `head-${port}.secret`);
}

/** A fresh random secret. */
export function newLocalSecret(): string {
  return randomBytes(SECRET_BYTES).toString("base64url");
}

/** The secret a head on `port` left, or undefined when there is none (or none to trust). */
export function readLocalSecret(port: number, dir: string = localSecretDir()): string | undefined {
  const file = localSecretFile(port, dir);
  try {
    if (!isPrivate(dir) || !isPrivate(file)) return undefined;
    const secret = readFileSync(file, "utf8").trim();
    return secret.length >= SECRET_BYTES ? secret : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the secret of the head on `port` (atomically: a reader never sees half of it). */
export function writeLocalSecret(port: number, secret: string, dir: string = localSecretDir()): string {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  if (!isPrivate(dir))
    throw new ClusterError(
      "INTERNAL",
      `${dir} is not this user's private directory (mode 0700): refusing to keep a cluster secret there`,
    );
  const file = localSecretFile(port, dir);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${secret}\n`, { mode: PRIVATE_FILE });
  chmodSync(temp, PRIVATE_FILE);
  renameSync(temp, file);
  return file;
}

/** Owned by this user, and nobody else may read or write it. */
function isPrivate(path: string): boolean {
  const s = statSync(path);
  return s.uid === userInfo().uid && (s.mode & 0o077) === 0;
}

/** The secret this machine holds for the head at `headAddress` (loopback only), if any. */
export function localSecretOfHead(headAddress: string, dir: string = localSecretDir()): string | undefined {
  if (!isLoopbackAddress(headAddress)) return undefined;
  const port = Number(headAddress.slice(headAddress.lastIndexOf(":") + 1));
  return Number.isInteger(port) && port > 0 ? readLocalSecret(port, dir) : undefined;
}
