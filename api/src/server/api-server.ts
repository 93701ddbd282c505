import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import type { EntityManager } from "@mikro-orm/postgresql";
import express from "express";
import { GraphQLError, type GraphQLSchema } from "graphql";
import { useServer as attachGraphqlWs } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import type { ApiContext, Services } from "../graphql/context.js";
import { formatError } from "../graphql/format-error.js";
import { createLoaders } from "../graphql/loaders.js";
import { CredentialCache } from "../identity/credential-cache.js";
import type { RedisConnections } from "../infra/redis-connections.js";
import { healthRoutes, httpMetrics } from "../observability/health-routes.js";
import { createMetrics } from "../observability/metrics.js";
import { openAiRoutes } from "../openai/openai-routes.js";
import { armor, documentChecks } from "../protection/armor.js";
import { type MoreTokens, moreTokensOf, rateLimit, rateLimitKey } from "../protection/rate-limit.js";
import { TokenBucket } from "../protection/token-bucket.js";
import { modelArtifactRoutes } from "../registry/artifact-routes.js";
import { paramsAsHeaders, type ResolvedCaller, resolveCaller } from "./auth-context.js";
import { clientAddress } from "./client-address.js";
import { graphiqlAssets, graphiqlPage } from "./graphiql.js";
import { operationMetrics } from "./operation-metrics.js";

/**
 * One port for everything: POST /graphql (Apollo over HTTP, with automatic persisted queries),
 * ws://…/graphql (graphql-ws), GET /graphql in a browser (GraphiQL, offline), health and info
 * endpoints and /metrics. Every GraphQL request passes the same query-shape limits (armor) over
 * HTTP and WebSocket; HTTP requests also pass the per-credential rate limit and a 1 MiB body
 * limit (WebSocket messages: 1 MiB too).
 */
const API_VERSION = "0.1.0";
/** Largest GraphQL request: an HTTP body (the limit of express's JSON parser) or a WebSocket message. */
const MAX_REQUEST_BYTES = 1024 * 1024;

export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  host: string;
  port: number;
  /** The process's Redis connections (credential revocations travel on them). */
  redis: RedisConnections;
  log: (msg: string, err?: unknown) => void;
}

export async function startApiServer(
  schema: GraphQLSchema,
  services: Services,
  opts: ApiServerOptions,
): Promise<ApiServer> {
  // Credential look-ups cached in this process; revocations reach every api process via Redis.
  const credentials = new CredentialCache({
    connections: opts.redis,
    ttlMs: services.config.credentialCacheTtlMs,
  });
  await credentials.start();
  const revocations = credentials.revocationSubscriber();
  services.orm.em.getEventManager().registerSubscriber(revocations);
  const app = express();
  app.set("trust proxy", "loopback");
  const http: Server = createServer(app);
  const limits = armor({ maxDepth: services.config.maxDepth, maxCost: services.config.maxCost });
  const metrics = createMetrics(services.orm, services.queue, () => services.local?.waiting ?? 0);
  app.use(httpMetrics(metrics));
  const bucket = new TokenBucket(
    services.redis,
    services.config.redisPrefix,
    services.config.rateLimitBurst,
    services.config.rateLimitPerSecond,
  );
  const wss = new WebSocketServer({ server: http, path: "/graphql", maxPayload: MAX_REQUEST_BYTES });
  const wsCleanup = attachGraphqlWs<
    Record<string, unknown>,
    { socket: WebSocket; request: IncomingMessage; resolved?: ResolvedCaller; rateKey?: string }
  >(
    {
      schema,
      ...documentChecks(limits.validationRules),
      // The credential is checked once, in connection_init; an access token that expires
      // while the socket is open closes it with 4401 (graphql-ws's "Unauthorized").
      onConnect: async (ctx) => {
        const resolved = await resolveCaller(
          services.orm.em.fork(),
          services.jwt,
          paramsAsHeaders(ctx.connectionParams),
          credentials,
        );
        ctx.extra.resolved = resolved;
        ctx.extra.rateKey = rateLimitKey(
          paramsAsHeaders(ctx.connectionParams),
          clientAddress(ctx.extra.request),
        );
        if (resolved.authError) {
          // A credential was sent and is bad (expired, revoked, unknown): say so and close,
          // rather than serve the socket as anonymous.
          ctx.extra.socket.close(4401, `Unauthorized: ${resolved.authError}`);
          return false;
        }
        const expiresAt = resolved.caller?.expiresAt;
        if (expiresAt) {
          const timer = setTimeout(
            () => ctx.extra.socket.close(4401, "Unauthorized: access token expired"),
            Math.max(0, expiresAt.getTime() - Date.now()),
          );
          ctx.extra.socket.once("close", () => clearTimeout(timer));
        }
        return true;
      },
      // Every operation on the socket takes a token, as every HTTP request does.
      onSubscribe: async (ctx) => {
        const decision = await bucket.take(ctx.extra.rateKey ?? "ip:unknown");
        if (decision.allowed) return undefined;
        const { retryAfterMs } = decision;
        return [
          new GraphQLError(`rate limit exceeded: retry in ${retryAfterMs} ms`, {
            extensions: { code: "RATE_LIMITED", retryAfterMs },
          }),
        ];
      },
      context: async (ctx) => {
        const em = services.orm.em.fork();
        const context = newContext(services, em, ctx.extra.resolved ?? { caller: null });
        return { ...context, moreTokens: moreTokensOf(bucket, ctx.extra.rateKey ?? "ip:unknown") };
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

  const apollo = new ApolloServer<ApiContext>({
    schema,
    formatError: (formatted, error) => formatError(formatted, error, opts.log),
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    validationRules: limits.validationRules,
    plugins: [
      // graphql-armor is typed against Apollo's CommonJS build; the plugin objects are the same.
      ...(limits.plugins as unknown as ApolloServerPlugin<ApiContext>[]),
      operationMetrics(metrics),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer: http }),
      { serverWillStart: async () => ({ drainServer: async () => void (await wsCleanup.dispose()) }) },
    ],
  });
  await apollo.start();

  app.use(
    healthRoutes({
      orm: services.orm,
      cluster: services.cluster,
      queue: services.queue,
      metrics,
      version: API_VERSION,
    }),
  );
  app.use("/graphiql-assets", graphiqlAssets());
  app.use("/v1", rateLimit(bucket));
  app.use(modelArtifactRoutes(services));
  app.use(openAiRoutes(services, opts.log));
  app.get("/graphql", (req, res, next) => {
    const wantsHtml = req.accepts(["application/json", "text/html"]) === "text/html";
    if (wantsHtml && req.query.query === undefined) {
      res.type("html").send(graphiqlPage("/graphiql-assets"));
      return;
    }
    next();
  });
  app.use(
    "/graphql",
    rateLimit(bucket),
    express.json({ limit: MAX_REQUEST_BYTES }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const em = services.orm.em.fork();
        const ctx = newContext(services, em, await resolveCaller(em, services.jwt, req.headers, credentials));
        const more = res.locals.rateLimit as MoreTokens | undefined;
        return more ? { ...ctx, moreTokens: more } : ctx;
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.port, opts.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    close: async () => {
      await apollo.stop();
      await credentials.close();
    },
  };
}

function newContext(services: Services, em: EntityManager, resolved: ResolvedCaller): ApiContext {
  return {
    requestId: randomUUID(),
    services,
    em,
    caller: resolved.caller,
    account: resolved.caller?.account ?? null,
    authError: resolved.authError,
    loaders: createLoaders(em),
  };
}
