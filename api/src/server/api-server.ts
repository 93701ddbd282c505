import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { GraphQLSchema } from "graphql";
import { dashboardRoutes } from "../dashboard/dashboard-routes.js";
import { sessionRoutes } from "../dashboard/session-routes.js";
import type { ApiContext, Services } from "../graphql/context.js";
import { formatError } from "../graphql/format-error.js";
import type { RedisConnections } from "../infra/redis-connections.js";
import { healthDetailRoutes, healthRoutes, httpMetrics } from "../observability/health-routes.js";
import { createMetrics } from "../observability/metrics.js";
import { sendOpenAiError } from "../openai/openai-errors.js";
import { openAiRoutes } from "../openai/openai-routes.js";
import { type AdmissionDeps, addressRateLimit, admission, admittedOf } from "../protection/admission.js";
import { armor, documentChecks, parseOptions } from "../protection/armor.js";
import { TokenBucket } from "../protection/token-bucket.js";
import { modelArtifactRoutes } from "../registry/artifact-routes.js";
import { cors } from "./cors.js";
import { graphiqlAssets, graphiqlPage } from "./graphiql.js";
import { graphqlEdge } from "./graphql-edge.js";
import { httpErrors, MAX_REQUEST_BYTES, requireAdmin } from "./http-errors.js";
import { operationMetrics } from "./operation-metrics.js";
import { newContext } from "./request-context.js";
import { attachWebSocketServer } from "./websocket-server.js";

/**
 * One port for everything public: POST /graphql (Apollo over HTTP, with automatic persisted
 * queries), ws://…/graphql (graphql-ws: server/websocket-server.ts), GET /graphql in a browser
 * (GraphiQL, offline), the OpenAI-compatible /v1, model artifacts, liveness and readiness. Health
 * details and /metrics: on the internal port when one is configured, and on this one for admins.
 *
 * Every request is admitted first (protection/admission.ts: rate limit by valid credential,
 * else by address; a bad credential is refused at once), before its body is read. Every GraphQL
 * request passes the same query-shape limits (armor, with the token limit in the parser) and edge
 * checks (graphql-edge.ts) over HTTP and WebSocket. Bodies: MAX_REQUEST_BYTES (WebSocket messages
 * too).
 * Whatever goes wrong answers JSON with a 4xx for the client's mistakes (malformed or oversized
 * bodies: http-errors.ts) and never a stack.
 */
const API_VERSION = "0.1.0";

export interface ApiServer {
  url: string;
  port: number;
  /** The internal port's base URL (health details, /metrics), when one is configured. */
  internalUrl?: string;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  host: string;
  port: number;
  /** The process's Redis connections. */
  redis: RedisConnections;
  log: (msg: string, err?: unknown) => void;
}

export async function startApiServer(
  schema: GraphQLSchema,
  services: Services,
  opts: ApiServerOptions,
): Promise<ApiServer> {
  const { config, credentials } = services;
  const revocations = credentials.revocationSubscriber();
  services.orm.em.getEventManager().registerSubscriber(revocations);
  const app = express();
  app.set("trust proxy", "loopback");
  const http: Server = createServer(app);
  const limits = armor({ maxDepth: config.maxDepth, maxCost: config.maxCost });
  const metrics = createMetrics(services.orm, services.queue, () => services.local?.waiting ?? 0);
  app.use(httpMetrics(metrics));
  app.use(cors(config.corsOrigins));
  const bucket = new TokenBucket(
    services.redis,
    config.redisPrefix,
    config.rateLimitBurst,
    config.rateLimitPerSecond,
  );
  const gate: AdmissionDeps = { bucket, credentials, jwt: services.jwt };
  const fork = () => services.orm.em.fork();
  const ws = attachWebSocketServer({
    http,
    path: "/graphql",
    maxPayload: MAX_REQUEST_BYTES,
    schema,
    services,
    admission: gate,
    checks: documentChecks(limits.validationRules),
    limits: {
      socketsPerAddress: config.wsSocketsPerAddress,
      socketsPerAccount: config.wsSocketsPerAccount,
      operationsPerSocket: config.wsOperationsPerSocket,
    },
    log: opts.log,
  });

  const apollo = new ApolloServer<ApiContext>({
    schema,
    formatError: (formatted, error) => formatError(formatted, error, opts.log),
    includeStacktraceInErrorResponses: false,
    // The process's entry stops the api on SIGINT/SIGTERM, in order with what else it runs
    // (`neurogrid up` stops its workers, head, Redis and PostgreSQL after it); Apollo's own
    // handler would re-raise the signal after stopping only itself, killing the process midway.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    validationRules: limits.validationRules,
    parseOptions,
    plugins: [
      // graphql-armor is typed against Apollo's CommonJS build; the plugin objects are the same.
      ...(limits.plugins as unknown as ApolloServerPlugin<ApiContext>[]),
      graphqlEdge<ApiContext>(),
      operationMetrics(metrics),
      ApolloServerPluginLandingPageDisabled(),
      // No type or field here sets a cache hint, and the plugin Apollo adds by default wraps
      // every field's resolver to read them (a cost on every field of every request).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer: http }),
      { serverWillStart: async () => ({ drainServer: async () => void (await ws.dispose()) }) },
    ],
  });
  await apollo.start();

  const details = healthDetailRoutes({
    orm: services.orm,
    cluster: services.cluster,
    queue: services.queue,
    metrics,
    version: API_VERSION,
  });
  // GraphQL first: the route nearly every request takes passes no other route's matching.
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
    admission(gate, { fork }),
    express.json({ limit: MAX_REQUEST_BYTES }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const admitted = admittedOf(res);
        return newContext(services, admitted.em, admitted.resolved, {
          clientAddress: req.ip,
          moreTokens: admitted.more,
        });
      },
    }),
  );
  app.use(healthRoutes({ orm: services.orm, version: API_VERSION }));
  app.use(["/api/network", "/api/nodes", "/metrics"], admission(gate, { fork }), requireAdmin);
  app.use(details);
  app.use("/graphiql-assets", graphiqlAssets());
  app.use(dashboardRoutes());
  app.use(sessionRoutes(services, addressRateLimit(bucket)));
  app.use("/v1", admission(gate, { fork, refuse: (res, r) => sendOpenAiError(res, r.error, opts.log) }));
  app.use(modelArtifactRoutes(services));
  app.use(openAiRoutes(services, opts.log));
  app.use(httpErrors(opts.log));

  await listen(http, opts.port, opts.host);
  const internal = config.internalPort === undefined ? undefined : await startInternal(details, opts.log);
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://${hostOf(opts.host)}:${port}/graphql`,
    port,
    internalUrl: internal?.url,
    close: async () => {
      await internal?.close();
      await apollo.stop();
    },
  };

  async function startInternal(routes: express.Router, log: ApiServerOptions["log"]) {
    const internalApp = express();
    internalApp.use(routes);
    internalApp.use(httpErrors(log));
    const server = createServer(internalApp);
    await listen(server, config.internalPort ?? 0, config.internalHost);
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://${hostOf(config.internalHost)}:${port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
}

function hostOf(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
