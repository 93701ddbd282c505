/**
 * How a server learns who calls it, chosen once per process from its configuration:
 *
 *   certificate  mutual TLS: the identity the verified client certificate names (identity.ts)
 *   secret       loopback with a cluster secret: a credential token minted with that secret
 *   accepted     an actor process: one of the few tokens its worker told it to accept (by digest)
 *   open         an actor process forked without auth (test fixtures that start actor hosts
 *                directly, no worker): no identity is checked; the rules table still must cover
 *                every RPC. A head or worker is never open: a bare head makes its own secret
 *                (local-secret.ts), and a worker finds it or refuses to start
 */

import type { PeerCertificate } from "node:tls";
import type * as grpc from "@grpc/grpc-js";
import {
  acceptedCredential,
  CREDENTIAL_METADATA_KEY,
  isWellFormed,
  verifyCredential,
} from "./credential-token.js";
import { type Identity, identityOfCertificate } from "./identity.js";

export type CallerCheck =
  | { kind: "certificate" }
  | { kind: "secret"; secret: string }
  | { kind: "accepted"; tokens: ReadonlyMap<string, Identity> }
  | { kind: "open" };

/** The part of a server call the check reads. */
export interface IncomingCall {
  metadata: grpc.Metadata;
  getAuthContext(): { sslPeerCertificate?: PeerCertificate } | null;
}

/**
 * The caller's identity; undefined when it presented none; "not accepted" for a well-formed
 * token that an "accepted" check does not list (this process cannot tell whether it is valid,
 * only that it is not one it takes).
 */
export function callerOf(
  check: Exclude<CallerCheck, { kind: "open" }>,
  call: IncomingCall,
): Identity | "not accepted" | undefined {
  if (check.kind === "certificate") return identityOfCertificate(call.getAuthContext()?.sslPeerCertificate);
  const [token] = call.metadata.get(CREDENTIAL_METADATA_KEY);
  if (typeof token !== "string") return undefined;
  if (check.kind === "secret") return verifyCredential(check.secret, token);
  return acceptedCredential(check.tokens, token) ?? (isWellFormed(token) ? "not accepted" : undefined);
}
