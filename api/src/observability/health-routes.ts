import type { MikroORM } from "@mikro-orm/postgresql";
import type { ClusterClient } from "@neurogrid/cluster";
import express, { type Router } from "express";
import type { TaskQueue } from "../tasks/task-queue.js";
import type { ApiMetrics } from "./metrics.js";

/**
 * Health and info endpoints, as operators of the earlier NeuroGrid expect them. Public (the api's
 * own port, no credential), saying no more than whether the process and its database are up:
 *   /health              the process is up
 *   /api/info            what this is (name, version, runtime, endpoints)
 *   /api/health/db       PostgreSQL answers: 200 {status: "ok"}, else 503 (a readiness probe)
 * Details (`healthDetailRoutes`): on the internal port (NEUROGRID_INTERNAL_PORT, bound to
 * NEUROGRID_INTERNAL_HOST, loopback by default) without a credential, and on the public port for
 * an admin's credential only (server/api-server.ts):
 *   /api/health/db       ... with its round-trip time
 *   /api/network/status  the cluster at a glance: nodes alive/dead, GPUs, queue depth
 *   /api/nodes/health    every node the head knows, with state and last heartbeat
 *   /metrics             Prometheus (the task-table gauge is cached: observability/metrics.ts)
 */
export interface HealthDeps {
  orm: MikroORM;
  cluster: ClusterClient;
  queue: TaskQueue;
  metrics: ApiMetrics;
  version: string;
}

export function healthRoutes(deps: Pick<HealthDeps, "orm" | "version">): Router {
  const router = express.Router();
  const started = Date.now();

  router.get("/health", (_req, res) => {
    res.json({ status: "ok", uptimeS: Math.round((Date.now() - started) / 1000), version: deps.version });
  });

  router.get("/api/info", (_req, res) => {
    res.json({
      name: "NeuroGrid",
      version: deps.version,
      node: process.version,
      graphql: "/graphql",
      subscriptions: "ws /graphql (graphql-ws)",
      metrics: "/metrics",
    });
  });

  router.get("/api/health/db", async (_req, res) => {
    try {
      await deps.orm.em.fork().execute("select 1");
      res.json({ status: "ok" });
    } catch {
      res.status(503).json({ status: "unavailable" });
    }
  });
  return router;
}

/** Health details and metrics: for the internal port, or behind an admin check. */
export function healthDetailRoutes(deps: HealthDeps): Router {
  const router = express.Router();

  router.get("/api/health/db", async (_req, res) => {
    const t0 = performance.now();
    try {
      await deps.orm.em.fork().execute("select 1");
      res.json({ status: "ok", latencyMs: Number((performance.now() - t0).toFixed(2)) });
    } catch {
      res.status(503).json({ status: "unavailable" });
    }
  });

  router.get("/api/network/status", async (_req, res) => {
    const queue = await deps.queue.queue.getJobCounts("waiting", "active", "delayed", "prioritized");
    try {
      const nodes = await deps.cluster.listNodes();
      const alive = nodes.filter((n) => n.state === "ALIVE");
      res.json({
        status: alive.length > 0 ? "ok" : "degraded",
        nodes: { total: nodes.length, alive: alive.length, dead: nodes.length - alive.length },
        gpus: alive.reduce((sum, n) => sum + n.total.gpus.length, 0),
        cpus: alive.reduce((sum, n) => sum + n.total.cpus, 0),
        queue,
      });
    } catch {
      res.status(503).json({ status: "unavailable", reason: "the cluster head does not answer", queue });
    }
  });

  router.get("/api/nodes/health", async (_req, res) => {
    try {
      const nodes = await deps.cluster.listNodes();
      res.json({
        nodes: nodes.map((n) => ({
          nodeId: n.nodeId,
          state: n.state,
          lastHeartbeatAt: n.lastHeartbeatMs ? new Date(n.lastHeartbeatMs).toISOString() : null,
          gpus: n.total.gpus.length,
        })),
      });
    } catch {
      res.status(503).json({ status: "unavailable", reason: "the cluster head does not answer" });
    }
  });

  router.get("/metrics", async (_req, res) => {
    res.setHeader("content-type", deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  return router;
}

/** Counts and times every HTTP request (route = the mounted path, not the raw URL). */
export function httpMetrics(metrics: ApiMetrics) {
  return (req: express.Request, res: express.Response, next: express.NextFunction) => {
    const end = metrics.httpDuration.startTimer();
    res.on("finish", () => {
      const route = req.route?.path ?? req.baseUrl ?? req.path;
      end({ method: req.method, route: String(route) });
      metrics.httpRequests.inc({ method: req.method, route: String(route), status: String(res.statusCode) });
    });
    next();
  };
}
