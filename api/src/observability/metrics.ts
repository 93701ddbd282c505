import type { MikroORM } from "@mikro-orm/postgresql";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { TaskQueue } from "../tasks/task-queue.js";

/**
 * Prometheus metrics of one api process (GET /metrics), named after Prometheus conventions:
 * HTTP requests and their latency, GraphQL operations, and, read at scrape time, tasks by state
 * (from PostgreSQL), the queue's depth (from BullMQ) and this process's local backlog (tasks it
 * accepted that wait for its own dispatcher: tasks/local-start.ts; they are in no queue).
 *
 * Tasks by state is a count over the whole tasks table: it is read at most once per
 * `TASK_GAUGE_TTL_MS` (one statement however many scrapes come meanwhile, concurrent ones
 * included), so scraping often, or many scrapers, cannot load PostgreSQL.
 */
const TASK_GAUGE_TTL_MS = 15_000;
export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpDuration: Histogram<"method" | "route">;
  graphqlOperations: Counter<"type" | "outcome">;
  graphqlDuration: Histogram<"type">;
}

export function createMetrics(orm: MikroORM, queue: TaskQueue, localBacklog: () => number): ApiMetrics {
  const registry = new Registry();
  const tasksByState = cachedRead(TASK_GAUGE_TTL_MS, () =>
    orm.em
      .fork()
      .execute<{ status: string; n: string }[]>("select status, count(*) as n from tasks group by status"),
  );
  collectDefaultMetrics({ register: registry, prefix: "neurogrid_api_" });
  const httpRequests = new Counter({
    name: "neurogrid_api_http_requests_total",
    help: "HTTP requests handled",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "neurogrid_api_http_request_duration_seconds",
    help: "HTTP request latency",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const graphqlOperations = new Counter({
    name: "neurogrid_api_graphql_operations_total",
    help: "GraphQL operations executed",
    labelNames: ["type", "outcome"] as const,
    registers: [registry],
  });
  const graphqlDuration = new Histogram({
    name: "neurogrid_api_graphql_operation_duration_seconds",
    help: "GraphQL operation latency",
    labelNames: ["type"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  new Gauge({
    name: "neurogrid_tasks",
    help: "Tasks by state",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      const rows = await tasksByState();
      this.reset();
      for (const r of rows) this.set({ state: r.status }, Number(r.n));
    },
  });
  new Gauge({
    name: "neurogrid_task_queue_jobs",
    help: "Jobs in the task queue by BullMQ state",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await queue.queue.getJobCounts("waiting", "active", "delayed", "prioritized", "failed");
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: "neurogrid_local_backlog_tasks",
    help: "Tasks this api accepted that wait in its own backlog for its dispatcher (not in the queue)",
    registers: [registry],
    collect() {
      this.set(localBacklog());
    },
  });
  return { registry, httpRequests, httpDuration, graphqlOperations, graphqlDuration };
}

/** `read`, called at most once per `ttlMs`; callers meanwhile share its answer (or its failure). */
function cachedRead<T>(ttlMs: number, read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (last && now - last.at < ttlMs) return last.value;
    const value = read();
    last = { at: now, value };
    value.catch(() => {
      if (last?.value === value) last = undefined;
    });
    return value;
  };
}
