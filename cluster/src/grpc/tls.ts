/**
 * Transport security of the cluster's gRPC (head, workers, actor processes, drivers). With TLS
 * configured, every member holds the cluster's CA certificate and its own certificate and key
 * signed by it, and every connection is mutual TLS: servers require and verify the client's
 * certificate, clients verify the server's (its certificate must name the host it is reached
 * at). Without TLS, traffic is plain text, which is allowed only on loopback: binding any
 * other interface without TLS is refused unless the operator said --insecure.
 *
 * The PEM files are read once, at start-up (loadTls); the material is then passed down (to
 * actor processes too, over their IPC start message).
 */
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { ClusterError } from "../errors.js";

export interface TlsFiles {
  /** The cluster CA's certificate (PEM). */
  caFile: string;
  /** This member's certificate (PEM), signed by the CA. */
  certFile: string;
  /** This member's private key (PEM). */
  keyFile: string;
}

/** PEM text of the CA certificate, this member's certificate and its key. */
export interface TlsMaterial {
  ca: string;
  cert: string;
  key: string;
}

export function loadTls(files: TlsFiles): TlsMaterial {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      throw new ClusterError(
        "INVALID_ARGUMENT",
        `cannot read the TLS ${what} ${path}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  };
  return {
    ca: read(files.caFile, "CA certificate"),
    cert: read(files.certFile, "certificate"),
    key: read(files.keyFile, "key"),
  };
}

export function serverCredentials(tls: TlsMaterial | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    Buffer.from(tls.ca),
    [{ private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) }],
    true,
  );
}

export function channelCredentials(tls: TlsMaterial | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(Buffer.from(tls.ca), Buffer.from(tls.key), Buffer.from(tls.cert));
}

const LOOPBACK_NAMES = new Set(["localhost", "::1", "[::1]"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Whether a host:port (an IPv6 host in brackets) is on loopback. */
export function isLoopbackAddress(address: string): boolean {
  const host = address.slice(0, address.lastIndexOf(":"));
  return isLoopback(host.startsWith("[") ? host.slice(1, -1) : host);
}

/** How a server is exposed: TLS material, or plain text (only on loopback unless insecure). */
export interface ServerSecurity {
  tls?: TlsMaterial | undefined;
  /** Plain text on a non-loopback interface, on purpose (--insecure). */
  insecure?: boolean | undefined;
}

/** Throws unless binding `host` with `security` is allowed (TLS, loopback, or --insecure). */
export function assertBindAllowed(host: string, security: ServerSecurity): void {
  if (security.tls !== undefined || security.insecure === true || isLoopback(host)) return;
  throw new ClusterError(
    "INVALID_ARGUMENT",
    `refusing to serve plain-text gRPC on ${host}, which is not loopback: configure TLS ` +
      "(--tls-ca, --tls-cert, --tls-key) or pass --insecure",
  );
}
