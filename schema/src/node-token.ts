import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Node tokens bind a worker to the node id it registered as. The api issues one when a provider
 * registers a node (registerNode); the head verifies it without a database, with the secret it
 * shares with the api (NEUROGRID_NODE_TOKEN_SECRET):
 *
 *   ngn.<nodeId, base64url>.<HMAC-SHA256(secret, "neurogrid-node:" + nodeId), base64url>
 *
 * A worker presenting a token can act only as that node id.
 *
 * Artifact tokens are capabilities for one registered model artifact: whoever holds one may
 * GET /models/<sha256> for that sha256 only, until it expires. The api signs one into a model
 * actor's initArgs and verifies it itself, with its own secret (no database):
 *
 *   nga.<sha256, hex>.<expiry, unix seconds>.<HMAC-SHA256(secret, "artifact:<sha256>:<expiry>"), base64url>
 *
 * The sha256 is carried so a refusal can tell a forged token (401) from a genuine one for
 * another artifact (403).
 */
const PREFIX = "ngn";
const ARTIFACT_PREFIX = "nga";

export function signNodeToken(secret: string, nodeId: string): string {
  const id = Buffer.from(nodeId, "utf8").toString("base64url");
  return `${PREFIX}.${id}.${mac(secret, nodeId)}`;
}

/** The node id a valid token was issued for, or null. */
export function verifyNodeToken(secret: string, token: string): string | null {
  const [prefix, id, signature] = token.split(".");
  if (prefix !== PREFIX || !id || !signature) return null;
  const nodeId = Buffer.from(id, "base64url").toString("utf8");
  return sameSignature(mac(secret, nodeId), signature) ? nodeId : null;
}

function mac(secret: string, nodeId: string): string {
  return hmac(secret, `neurogrid-node:${nodeId}`);
}

/** Whether a credential is shaped as an artifact token (to route it to verifyArtifactToken). */
export function isArtifactToken(token: string): boolean {
  return token.startsWith(`${ARTIFACT_PREFIX}.`);
}

/** A token for GET /models/<sha256> of that artifact only, valid until `expiresAt` (whole seconds). */
export function signArtifactToken(secret: string, sha256: string, expiresAt: Date): string {
  const sha = sha256.toLowerCase();
  const expiry = Math.floor(expiresAt.getTime() / 1000);
  return `${ARTIFACT_PREFIX}.${sha}.${expiry}.${artifactMac(secret, sha, expiry)}`;
}

export type ArtifactTokenCheck =
  | { ok: true; sha256: string; expiresAt: Date }
  /** invalid: malformed or not signed with this secret; expired: genuine but past its expiry;
   *  other-artifact: genuine, unexpired, but for another sha256. */
  | { ok: false; reason: "invalid" | "expired" | "other-artifact"; message: string };

/** Checks an artifact token for the artifact `sha256` at `now`. */
export function verifyArtifactToken(
  secret: string,
  token: string,
  sha256: string,
  now: Date = new Date(),
): ArtifactTokenCheck {
  const [prefix, sha, expiryText, signature, ...rest] = token.split(".");
  if (
    prefix !== ARTIFACT_PREFIX ||
    rest.length > 0 ||
    !sha ||
    !/^[0-9a-f]{64}$/.test(sha) ||
    !expiryText ||
    !/^\d{1,12}$/.test(expiryText) ||
    !signature
  ) {
    return { ok: false, reason: "invalid", message: "malformed artifact token" };
  }
  const expiry = Number(expiryText);
  if (!sameSignature(artifactMac(secret, sha, expiry), signature)) {
    return { ok: false, reason: "invalid", message: "invalid artifact token" };
  }
  const expiresAt = new Date(expiry * 1000);
  if (expiresAt.getTime() <= now.getTime()) {
    return { ok: false, reason: "expired", message: `artifact token expired at ${expiresAt.toISOString()}` };
  }
  if (sha !== sha256.toLowerCase()) {
    return { ok: false, reason: "other-artifact", message: `artifact token is for artifact ${sha}` };
  }
  return { ok: true, sha256: sha, expiresAt };
}

function artifactMac(secret: string, sha256: string, expiry: number): string {
  return hmac(secret, `artifact:${sha256}:${expiry}`);
}

function hmac(secret: string, message: string): string {
  return createHmac("sha256", secret).update(message).digest("base64url");
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
