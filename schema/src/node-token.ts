import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Node tokens bind a worker to the node id it registered as, until they expire. The api issues
 * one when a provider registers a node (registerNode); the head verifies it without a database,
 * with the secret it shares with the api (NEUROGRID_NODE_TOKEN_SECRET):
 *
 *   ngn.<nodeId, base64url>.<expiry, unix seconds>.<HMAC-SHA256(secret, "neurogrid-node:" + nodeId + ":" + expiry), base64url>
 *
 * A worker presenting a token can act only as that node id, and only until the expiry; the head
 * also refuses a node the api revoked (revokeNode), whatever its token says.
 *
 * Artifact tokens are grants for one registered model artifact: the api signs one into a model
 * actor's initArgs, and GET /models/<sha256> serves that sha256 only, until the expiry, and only
 * to the node that presents its own node token beside it (NODE_CREDENTIAL_HEADER) while that
 * node runs, or is being given, an actor of the model: placement happens after the token is
 * signed, so the api binds token, node and model when the node asks, not in the token. The api
 * verifies the signature itself, with its own secret:
 *
 *   nga.<sha256, hex>.<expiry, unix seconds>.<HMAC-SHA256(secret, "artifact:<sha256>:<expiry>"), base64url>
 *
 * The sha256 is carried so a refusal can tell a forged token (401) from a genuine one for
 * another artifact (403).
 */
const PREFIX = "ngn";

/**
 * The HTTP header a node's own token travels in beside an artifact token (GET /models/<sha256>):
 * the api serves the artifact only to that node, and only while it runs, or is being given, an
 * actor of the artifact's model.
 */
export const NODE_CREDENTIAL_HEADER = "x-neurogrid-node";
const ARTIFACT_PREFIX = "nga";

/** How long a node token is good for when its issuer names no expiry: 90 days. */
export const NODE_TOKEN_TTL_MS = 90 * 24 * 60 * 60 * 1000;

export function signNodeToken(
  secret: string,
  nodeId: string,
  expiresAt: Date = new Date(Date.now() + NODE_TOKEN_TTL_MS),
): string {
  const id = Buffer.from(nodeId, "utf8").toString("base64url");
  const expiry = Math.floor(expiresAt.getTime() / 1000);
  return `${PREFIX}.${id}.${expiry}.${mac(secret, nodeId, expiry)}`;
}

export type NodeTokenCheck =
  | { ok: true; nodeId: string; expiresAt: Date }
  /** invalid: malformed or not signed with this secret; expired: genuine but past its expiry. */
  | { ok: false; reason: "invalid" | "expired"; message: string };

/** Checks a node token at `now`: the node id it was issued for, and until when. */
export function checkNodeToken(secret: string, token: string, now: Date = new Date()): NodeTokenCheck {
  const [prefix, id, expiryText, signature, ...rest] = token.split(".");
  if (
    prefix !== PREFIX ||
    !id ||
    !expiryText ||
    !/^\d{1,12}$/.test(expiryText) ||
    !signature ||
    rest.length > 0
  )
    return { ok: false, reason: "invalid", message: "bad node token" };
  const nodeId = Buffer.from(id, "base64url").toString("utf8");
  const expiry = Number(expiryText);
  if (!sameSignature(mac(secret, nodeId, expiry), signature))
    return { ok: false, reason: "invalid", message: "bad node token" };
  const expiresAt = new Date(expiry * 1000);
  if (expiresAt.getTime() <= now.getTime())
    return { ok: false, reason: "expired", message: `the node token expired at ${expiresAt.toISOString()}` };
  return { ok: true, nodeId, expiresAt };
}

/** The node id a valid, unexpired token was issued for, or null. */
export function verifyNodeToken(secret: string, token: string, now: Date = new Date()): string | null {
  const check = checkNodeToken(secret, token, now);
  return check.ok ? check.nodeId : null;
}

function mac(secret: string, nodeId: string, expiry: number): string {
  return hmac(secret, `neurogrid-node:${nodeId}:${expiry}`);
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

/**
 * What an artifact token claims (its sha256 and expiry), read without its secret: a holder
 * that cannot verify the signature (a worker) still refuses a token for another artifact or one
 * past its expiry before fetching anything; undefined when it is not shaped as one.
 */
export function artifactTokenClaims(token: string): { sha256: string; expiresAt: Date } | undefined {
  const [prefix, sha, expiryText, signature, ...rest] = token.split(".");
  if (prefix !== ARTIFACT_PREFIX || rest.length > 0 || !signature) return undefined;
  if (!sha || !/^[0-9a-f]{64}$/.test(sha) || !expiryText || !/^\d{1,12}$/.test(expiryText)) return undefined;
  return { sha256: sha, expiresAt: new Date(Number(expiryText) * 1000) };
}

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
