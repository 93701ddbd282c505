/**
 * Who calls a cluster RPC. Every caller is one of four roles; a worker is bound to its node id:
 *
 *   head      the control plane (it starts and kills actors on workers)
 *   worker    a node agent, as node <nodeId> (it registers, heartbeats and reports exits for
 *             that node only); its actor processes call with its identity when not a driver
 *   driver    the api and the dispatcher (create, call and kill actors, deployments)
 *   observer  read-only tools (`neurogrid status`, `neurogrid worker --status`)
 *
 * With mutual TLS the identity is in the certificate: a subject alternative name URI
 * `neurogrid://<role>` or `neurogrid://worker/<nodeId>` (made by `neurogrid certs issue`,
 * cli/certs-command.ts). On loopback without TLS it is a credential token in the call's metadata
 * (credential-token.ts).
 */
import type { PeerCertificate } from "node:tls";

export const ROLES = ["head", "worker", "driver", "observer"] as const;
export type Role = (typeof ROLES)[number];

export type Identity = { role: "worker"; nodeId: string } | { role: Exclude<Role, "worker"> };

const URI_SCHEME = "neurogrid://";
const NODE_ID = /^[\w.-]+$/;

/** The identity named by a `neurogrid://` URI, or undefined when it names none. */
export function identityOfUri(uri: string): Identity | undefined {
  if (!uri.startsWith(URI_SCHEME)) return undefined;
  const [role, nodeId, ...rest] = uri.slice(URI_SCHEME.length).split("/");
  if (rest.length > 0) return undefined;
  if (role === "worker") return nodeId !== undefined && NODE_ID.test(nodeId) ? { role, nodeId } : undefined;
  if (nodeId !== undefined) return undefined;
  return role === "head" || role === "driver" || role === "observer" ? { role } : undefined;
}

/** The `neurogrid://` URI a certificate carries for an identity. */
export function uriOfIdentity(identity: Identity): string {
  return identity.role === "worker"
    ? `${URI_SCHEME}worker/${identity.nodeId}`
    : `${URI_SCHEME}${identity.role}`;
}

/** The one identity a verified certificate names; undefined when it names none, or several. */
export function identityOfCertificate(cert: PeerCertificate | undefined): Identity | undefined {
  if (cert?.subjectaltname === undefined) return undefined;
  const found = cert.subjectaltname
    .split(",")
    .map((part) => part.trim())
    .filter((entry) => entry.startsWith("URI:"))
    .map((entry) => identityOfUri(entry.slice(4)))
    .filter((identity) => identity !== undefined);
  return found.length === 1 ? found[0] : undefined;
}

export function describeIdentity(identity: Identity): string {
  return identity.role === "worker" ? `worker ${identity.nodeId}` : identity.role;
}
