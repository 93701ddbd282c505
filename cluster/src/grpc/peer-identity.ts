/**
 * Who is calling, by certificate: with mutual TLS, the names in the client certificate the
 * caller presented (its subject common name and its DNS subject alternative names). The head
 * binds node identity to them: a worker's certificate must name its node id.
 */
import type { PeerCertificate } from "node:tls";

interface CallWithAuth {
  getAuthContext(): { sslPeerCertificate?: PeerCertificate } | null;
}

/** The names of the caller's verified certificate; [] when it presented none. */
export function peerNames(call: CallWithAuth): string[] {
  const cert = call.getAuthContext()?.sslPeerCertificate;
  if (cert === undefined) return [];
  const names: string[] = [];
  const cn: unknown = cert.subject?.CN;
  if (typeof cn === "string") names.push(cn);
  else if (Array.isArray(cn)) names.push(...cn.filter((v): v is string => typeof v === "string"));
  for (const part of (cert.subjectaltname ?? "").split(",")) {
    const entry = part.trim();
    if (entry.startsWith("DNS:")) names.push(entry.slice(4));
  }
  return names;
}
