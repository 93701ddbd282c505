/**
 * A cluster member's side of authentication, made once at start-up from its configuration:
 * how its servers identify callers (caller.ts) and the token its clients present (on loopback
 * with a cluster secret; with TLS the certificate speaks for it and no token is sent).
 */
import { ClusterError } from "../errors.js";
import type { TlsMaterial } from "../grpc/tls.js";
import type { CallerCheck } from "./caller.js";
import { credentialDigest, mintCredential } from "./credential-token.js";
import type { Identity } from "./identity.js";

export interface MemberAuth {
  check: CallerCheck;
  /** The credential token this member's calls carry; absent with TLS or on an open cluster. */
  token?: string | undefined;
  /** The cluster secret (loopback), kept by the head and workers only. */
  secret?: string | undefined;
}

/**
 * TLS wins over a secret. A head or worker always has one of them (a bare head makes its own
 * secret, and a worker finds it or refuses to start: local-secret.ts): with neither, INTERNAL.
 */
export function memberAuth(
  tls: TlsMaterial | undefined,
  secret: string | undefined,
  self: Identity,
): MemberAuth {
  if (tls !== undefined) return { check: { kind: "certificate" } };
  if (secret !== undefined)
    return { check: { kind: "secret", secret }, token: mintCredential(secret, self), secret };
  throw new ClusterError(
    "INTERNAL",
    "a cluster member needs TLS or a cluster secret: callers are always identified",
  );
}

/**
 * What a worker gives each of its actor processes (over IPC, never the cluster secret): with
 * TLS they identify callers by certificate; with a secret they accept exactly two tokens, by
 * digest (a driver's and their own worker's), and call other actors with a driver token.
 */
export interface ActorProcessAuth {
  kind: "certificate" | "accepted" | "open";
  /** [token digest, identity] pairs accepted (kind "accepted"). */
  accepted?: [string, Identity][] | undefined;
  /** The token the actor's own cluster client presents (kind "accepted"). */
  token?: string | undefined;
}

export function actorProcessAuth(worker: MemberAuth, nodeId: string): ActorProcessAuth {
  if (worker.check.kind === "certificate") return { kind: "certificate" };
  if (worker.secret === undefined) return { kind: "open" };
  const accepted: Identity[] = [{ role: "driver" }, { role: "worker", nodeId }];
  const secret = worker.secret;
  return {
    kind: "accepted",
    accepted: accepted.map((identity) => [credentialDigest(mintCredential(secret, identity)), identity]),
    token: mintCredential(secret, { role: "driver" }),
  };
}

/** An actor process's caller check, from what its worker gave it. */
export function actorCallerCheck(auth: ActorProcessAuth | undefined): CallerCheck {
  if (auth === undefined || auth.kind === "open") return { kind: "open" };
  if (auth.kind === "certificate") return { kind: "certificate" };
  return { kind: "accepted", tokens: new Map(auth.accepted ?? []) };
}
