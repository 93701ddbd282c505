import type { IncomingMessage, Server } from "node:http";
import { type DocumentNode, GraphQLError, type GraphQLSchema } from "graphql";
import type { Context } from "graphql-ws";
import { useServer as attachGraphqlWs } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import type { Services } from "../graphql/context.js";
import { formatError } from "../graphql/format-error.js";
import { apiKeyFromHeaders, hashApiKey } from "../identity/api-keys.js";
import type { Invalidation } from "../identity/credential-cache.js";
import { type AdmissionDeps, admit } from "../protection/admission.js";
import type { documentChecks } from "../protection/armor.js";
import { paramsAsHeaders, resolveCaller } from "./auth-context.js";
import { clientAddress } from "./client-address.js";
import { operationErrors } from "./graphql-edge.js";
import { newContext } from "./request-context.js";

/**
 * graphql-ws on the api's port (ws://…/graphql), held to what HTTP requests are held to, and more
 * since a socket lives long:
 *
 * - The credential (connection_init's `authorization` / `x-api-key`) is checked when the socket
 *   opens and again for every operation (through the credential cache: no query for a known
 *   one), taking a rate-limit token each time from the same bucket as the caller's HTTP
 *   requests (protection/admission.ts). A bad one closes the socket with 4401.
 * - Revocation closes open sockets at once: when a key, an account or an access token's session is
 *   revoked (in any process: the credential cache hears it), the sockets it opened are checked
 *   again and closed with 4401 if their credential no longer passes. An access token's socket
 *   also closes with 4401 when the token expires.
 * - Caps: open sockets per address (counted on upgrade, before connection_init) and per account,
 *   closed with 4429 when over; operations in flight per socket, refused with LIMIT_EXCEEDED.
 *   A socket that never sends connection_init is closed by graphql-ws after 3 s (4408).
 * - Each operation is parsed with the same token limit and validated with the same rules as over
 *   HTTP (protection/armor.ts), and passes the same edge checks (graphql-edge.ts). A syntax
 *   error is a GRAPHQL_PARSE_FAILED error message for that operation, never a closed socket.
 */
interface WebSocketLimits {
  socketsPerAddress: number;
  socketsPerAccount: number;
  operationsPerSocket: number;
}

type SocketExtra = {
  socket: WebSocket;
  request: IncomingMessage;
  address?: string;
  headers?: Record<string, string>;
  accountId?: string;
  keyHash?: string;
  session?: { jti: string; family?: string };
};

type SocketContext = Context<Record<string, unknown>, SocketExtra>;

export interface WebSocketServerOptions {
  http: Server;
  path: string;
  maxPayload: number;
  schema: GraphQLSchema;
  services: Services;
  admission: AdmissionDeps;
  checks: ReturnType<typeof documentChecks>;
  limits: WebSocketLimits;
  log: (msg: string, err?: unknown) => void;
}

export function attachWebSocketServer(opts: WebSocketServerOptions): { dispose(): Promise<void> } {
  const { services, limits } = opts;
  const wss = new WebSocketServer({ server: opts.http, path: opts.path, maxPayload: opts.maxPayload });
  const perAddress = new Map<string, number>();
  const perAccount = new Map<string, number>();
  const open = new Set<SocketContext>();
  const bump = (map: Map<string, number>, key: string, by: number) => {
    const n = (map.get(key) ?? 0) + by;
    if (n <= 0) map.delete(key);
    else map.set(key, n);
  };

  // Before graphql-ws's own listener: the address cap, counted from the upgrade on.
  wss.on("connection", (socket, request) => {
    const address = clientAddress(request) ?? "unknown";
    bump(perAddress, address, 1);
    socket.once("close", () => bump(perAddress, address, -1));
    if ((perAddress.get(address) ?? 0) > limits.socketsPerAddress) {
      socket.close(4429, "Too many sockets from this address");
    }
  });

  const unauthorized = (ctx: SocketContext, reason: string) =>
    ctx.extra.socket.close(4401, `Unauthorized: ${reason}`.slice(0, 120));

  // A revoked key, account or session: check the sockets it opened again.
  const recheck = async (ctx: SocketContext) => {
    const resolved = await resolveCaller(
      services.orm.em.fork(),
      services.jwt,
      ctx.extra.headers ?? {},
      services.credentials,
    );
    if (!resolved.caller) unauthorized(ctx, resolved.authError ?? "credential revoked");
  };
  const stopListening = services.credentials.onInvalidate((what: Invalidation) => {
    for (const ctx of open) {
      const x = ctx.extra;
      const hit =
        (what.keyHash !== undefined && x.keyHash === what.keyHash) ||
        (what.accountId !== undefined && x.accountId === what.accountId) ||
        (what.accessId !== undefined &&
          (x.session?.jti === what.accessId || x.session?.family === what.accessId));
      if (hit) void recheck(ctx).catch((err) => opts.log("websocket: credential re-check failed", err));
    }
  });

  const graphqlError = (message: string, code: string, extra: Record<string, unknown> = {}) =>
    new GraphQLError(message, { extensions: { code, ...extra } });

  const cleanup = attachGraphqlWs<Record<string, unknown>, SocketExtra>(
    {
      schema: opts.schema,
      onConnect: async (ctx) => {
        const x = ctx.extra;
        x.address = clientAddress(x.request);
        x.headers = paramsAsHeaders(ctx.connectionParams);
        const result = await admit(opts.admission, services.orm.em.fork(), x.headers, x.address);
        if (!result.ok) {
          if (result.status === 401) unauthorized(ctx, result.error.message);
          else x.socket.close(4429, "Too many requests");
          return false;
        }
        const caller = result.resolved.caller;
        if (caller) {
          const { accountId } = caller;
          if ((perAccount.get(accountId) ?? 0) >= limits.socketsPerAccount) {
            x.socket.close(4429, "Too many sockets for this account");
            return false;
          }
          bump(perAccount, accountId, 1);
          x.socket.once("close", () => bump(perAccount, accountId, -1));
          x.accountId = accountId;
          x.session = caller.session;
          const credential = apiKeyFromHeaders(x.headers);
          if (caller.via === "api-key" && credential) x.keyHash = hashApiKey(credential);
          open.add(ctx);
          x.socket.once("close", () => open.delete(ctx));
        }
        const expiresAt = caller?.expiresAt;
        if (expiresAt) {
          const timer = setTimeout(
            () => x.socket.close(4401, "Unauthorized: access token expired"),
            Math.max(0, expiresAt.getTime() - Date.now()),
          );
          x.socket.once("close", () => clearTimeout(timer));
        }
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const x = ctx.extra;
        if (Object.keys(ctx.subscriptions).length > limits.operationsPerSocket) {
          return [
            graphqlError(
              `at most ${limits.operationsPerSocket} operations at once on one socket`,
              "LIMIT_EXCEEDED",
              { limit: limits.operationsPerSocket },
            ),
          ];
        }
        // The credential again (cheap through the cache), and a token from its bucket.
        const em = services.orm.em.fork();
        const result = await admit(opts.admission, em, x.headers ?? {}, x.address);
        if (!result.ok) {
          if (result.status === 401) unauthorized(ctx, result.error.message);
          return [graphqlError(result.error.message, result.error.code, result.error.details)];
        }
        let document: DocumentNode;
        try {
          document = opts.checks.parse(payload.query);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          return [graphqlError(message, "GRAPHQL_PARSE_FAILED")];
        }
        const invalid = opts.checks.validate(opts.schema, document);
        if (invalid.length > 0) {
          return invalid.map(
            (e) =>
              new GraphQLError(e.message, {
                nodes: e.nodes,
                extensions: { ...e.extensions, code: "GRAPHQL_VALIDATION_FAILED" },
              }),
          );
        }
        const refused = operationErrors(document, payload.operationName, payload.variables, "ws");
        if (refused) return [refused];
        return {
          schema: opts.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: newContext(services, em, result.resolved, {
            clientAddress: x.address,
            moreTokens: result.more,
          }),
        };
      },
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((e) => formatError(e.toJSON(), e, opts.log)) as never,
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return result;
        return {
          ...result,
          errors: result.errors.map((e) => formatError(e.toJSON(), e, opts.log)),
        } as never;
      },
    },
    wss,
  );
  return {
    dispose: async () => {
      stopListening();
      await cleanup.dispose();
    },
  };
}
