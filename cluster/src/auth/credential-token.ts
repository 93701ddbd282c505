/**
 * The loopback credential: when the cluster runs on one machine without TLS (`neurogrid up`),
 * its processes share a random cluster secret that only they hold (passed to each child in its
 * configuration), and a caller presents a token bound to its role and node id:
 *
 *   ng1:<role>:<nodeId or empty>:<base64url HMAC-SHA256(secret, "ng1\n" role "\n" nodeId)>
 *
 * in the `neurogrid-credential` metadata of every call. A token proves who minted it only to a
 * holder of the secret; a process that must accept calls without holding the secret (an actor
 * process) is given the SHA-256 digests of the few tokens it accepts (acceptedTokens).
 * Comparisons take constant time.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { type Identity, ROLES, type Role } from "./identity.js";

export const CREDENTIAL_METADATA_KEY = "neurogrid-credential";
const VERSION = "ng1";

export function mintCredential(secret: string, identity: Identity): string {
  const nodeId = identity.role === "worker" ? identity.nodeId : "";
  return `${VERSION}:${identity.role}:${nodeId}:${mac(secret, identity.role, nodeId).toString("base64url")}`;
}

/** The identity a token was minted for with `secret`; undefined for any other token. */
export function verifyCredential(secret: string, token: string): Identity | undefined {
  const identity = parseToken(token);
  if (identity === undefined) return undefined;
  const nodeId = identity.role === "worker" ? identity.nodeId : "";
  const given = Buffer.from(token.slice(token.lastIndexOf(":") + 1), "base64url");
  const expected = mac(secret, identity.role, nodeId);
  return given.length === expected.length && timingSafeEqual(given, expected) ? identity : undefined;
}

/** SHA-256 of a token (hex): what a process that accepts it without the secret is given. */
export function credentialDigest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The identity of a token whose digest is among `accepted`; undefined otherwise. */
export function acceptedCredential(
  accepted: ReadonlyMap<string, Identity>,
  token: string,
): Identity | undefined {
  const identity = parseToken(token);
  if (identity === undefined) return undefined;
  const found = accepted.get(credentialDigest(token));
  return found !== undefined && sameIdentity(found, identity) ? found : undefined;
}

/** Whether a token has the shape of one (says nothing of whether it is valid). */
export function isWellFormed(token: string): boolean {
  return parseToken(token) !== undefined;
}

function sameIdentity(a: Identity, b: Identity): boolean {
  if (a.role === "worker" || b.role === "worker")
    return a.role === b.role && a.role === "worker" && b.role === "worker" && a.nodeId === b.nodeId;
  return a.role === b.role;
}

function parseToken(token: string): Identity | undefined {
  const [version, role, nodeId, macText, ...rest] = token.split(":");
  if (version !== VERSION || rest.length > 0 || macText === undefined || nodeId === undefined)
    return undefined;
  if (!(ROLES as readonly string[]).includes(role ?? "")) return undefined;
  if (role === "worker") return /^[\w.-]+$/.test(nodeId) ? { role, nodeId } : undefined;
  return nodeId === "" ? { role: role as Exclude<Role, "worker"> } : undefined;
}

function mac(secret: string, role: string, nodeId: string): Buffer {
  return createHmac("sha256", secret).update(`${VERSION}\n${role}\n${nodeId}`, "utf8").digest();
}
