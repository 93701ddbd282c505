import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/**
 * The client's address for a raw request (a WebSocket upgrade), as Express gives `req.ip` with
 * `trust proxy: "loopback"` (api-server.ts): the peer's address, unless the peer is a proxy on
 * this machine, in which case X-Forwarded-For is read from the right, skipping loopback hops.
 * So an anonymous socket behind a local proxy has its own rate-limit bucket, the same one as
 * its HTTP requests.
 */
export function clientAddress(request: IncomingMessage): string | undefined {
  const peer = request.socket.remoteAddress;
  if (peer === undefined || !isLoopback(peer)) return peer;
  const header = request.headers["x-forwarded-for"];
  const forwarded = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  let address = peer;
  for (const hop of forwarded.reverse()) {
    address = hop;
    if (!isLoopback(hop)) break;
  }
  return address;
}

function isLoopback(address: string): boolean {
  const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(plain) === 4) return plain.startsWith("127.");
  return plain === "::1";
}
