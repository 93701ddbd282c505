/**
 * Server side helpers: bind a server, stop it (gracefully, then by force), and adapt an async
 * function into a unary handler whose errors reach the caller as gRPC status (via status.ts).
 */
import * as grpc from "@grpc/grpc-js";
import { toServiceError } from "./status.js";
import { assertBindAllowed, type ServerSecurity, serverCredentials } from "./tls.js";

export function unaryHandler<Req, Res>(
  handle: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handle(call.request, call))
      .then(
        (reply) => callback(null, reply),
        (err: unknown) => callback(toServiceError(err)),
      );
  };
}

/**
 * Binds host:port (0 = any free port) and resolves with the bound port: over TLS when
 * `security.tls` is set, else plain text, which is refused off loopback unless
 * `security.insecure` (see tls.ts).
 */
export function listen(
  server: grpc.Server,
  host: string,
  port: number,
  security: ServerSecurity = {},
): Promise<number> {
  try {
    assertBindAllowed(host, security);
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    server.bindAsync(hostPort(host, port), serverCredentials(security.tls), (err, boundPort) => {
      if (err) reject(err);
      else resolve(boundPort);
    });
  });
}

/** Lets in-flight calls finish for up to graceMs, then cuts what is left. */
export function shutdown(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
