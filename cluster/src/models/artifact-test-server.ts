/**
 * Test support: a real HTTP server on 127.0.0.1 that serves model artifacts the way the api's
 * GET /models/:sha256 does (Bearer token required when one is set, 401 otherwise, 404 for an
 * unknown path), recording each request. `slowChunks` sends the body in pieces with pauses, so
 * concurrent downloads overlap. close() ends it and its connections.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface ArtifactTestServer {
  /** The URL of `path` on this server ("/models/<sha256>"). */
  url(path: string): string;
  /** Bytes served at each path; change it between requests. */
  readonly served: Map<string, Uint8Array>;
  readonly requests: { path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

export interface ArtifactTestServerOptions {
  /** Required as `Authorization: Bearer <token>`. */
  token?: string;
  /** Send each body in this many pieces, 10 ms apart. */
  slowChunks?: number;
}

export async function startArtifactServer(
  served: Map<string, Uint8Array>,
  options: ArtifactTestServerOptions = {},
): Promise<ArtifactTestServer> {
  const requests: ArtifactTestServer["requests"] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    requests.push({ path, authorization: req.headers.authorization });
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":"invalid token"}');
      return;
    }
    const bytes = served.get(path);
    if (!bytes) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"no such artifact"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.byteLength });
    void send(res, bytes, options.slowChunks ?? 1);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    served,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function send(
  res: { write(b: Uint8Array): boolean; end(): void; destroyed: boolean },
  bytes: Uint8Array,
  pieces: number,
) {
  const size = Math.ceil(bytes.byteLength / pieces);
  for (let start = 0; start < bytes.byteLength; start += size) {
    if (res.destroyed) return;
    res.write(bytes.subarray(start, start + size));
    if (pieces > 1) await sleep(10);
  }
  res.end();
}
