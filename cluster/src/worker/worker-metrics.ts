/**
 * The worker's Prometheus metrics:
 *
 *   neurogrid_worker_actors                          actor processes running (or starting)
 *   neurogrid_worker_head_connected                  1 while heartbeating with the head
 *   neurogrid_worker_telemetry_up                    1 when the last GPU telemetry sample was ok
 *   neurogrid_worker_actor_start_duration_seconds{outcome}   StartActor: process up and serving
 *   neurogrid_actor_call_duration_seconds{class,method,outcome}   calls the actors served
 *   neurogrid_actor_info{actor_id,class,...}         1 per live actor, with its info() labels
 *                                                    (both from the actor processes, actor-metrics.ts)
 *   neurogrid_gpu_*{node,gpu,uuid}                   this node's GPU telemetry (gpu-gauges.ts)
 *   neurogrid_host_*{node}                           its CPU, memory and network (host-gauges.ts)
 */
import type { NodeTelemetry } from "@neurogrid/schema";
import { Gauge, Histogram, Registry } from "prom-client";
import type { ActorMetrics } from "../metrics/actor-metrics.js";
import { registerGpuGauges } from "../metrics/gpu-gauges.js";
import { registerHostGauges } from "../metrics/host-gauges.js";

export interface WorkerMetricsSources {
  nodeId: string;
  actorCount: () => number;
  headConnected: () => boolean;
  telemetry: () => NodeTelemetry | undefined;
  /** What the actor processes report: call histograms, info labels (ActorProcesses.metrics). */
  actors: ActorMetrics;
}

export interface WorkerMetrics {
  registry: Registry;
  /** Records one StartActor, in seconds. */
  actorStarted(seconds: number, ok: boolean): void;
}

const START_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function workerMetrics(sources: WorkerMetricsSources): WorkerMetrics {
  const registry = new Registry();
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge("neurogrid_worker_actors", "Actor processes running or starting", sources.actorCount);
  gauge("neurogrid_worker_head_connected", "1 while heartbeating with the head", () =>
    sources.headConnected() ? 1 : 0,
  );
  gauge("neurogrid_worker_telemetry_up", "1 when the last GPU telemetry sample was ok", () =>
    sources.telemetry()?.status === "ok" ? 1 : 0,
  );
  registerGpuGauges(registry, () => [{ nodeId: sources.nodeId, telemetry: sources.telemetry() }]);
  registerHostGauges(registry, () => [{ nodeId: sources.nodeId, telemetry: sources.telemetry() }]);
  sources.actors.register(registry);
  const starts = new Histogram({
    name: "neurogrid_worker_actor_start_duration_seconds",
    help: "StartActor: until the actor process is up and serving",
    labelNames: ["outcome"],
    buckets: START_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    actorStarted: (seconds, ok) => starts.observe({ outcome: ok ? "ok" : "error" }, seconds),
  };
}
