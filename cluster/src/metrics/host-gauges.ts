/**
 * Host gauges from telemetry samples (label node), beside the GPU gauges (gpu-gauges.ts), in
 * Prometheus base units:
 *
 *   neurogrid_host_cpu_utilization_ratio (0..1)    neurogrid_host_load_average (1 minute)
 *   neurogrid_host_cpu_cores                       neurogrid_host_memory_used_bytes
 *   neurogrid_host_memory_total_bytes              neurogrid_host_network_receive_bytes_per_second
 *   neurogrid_host_network_transmit_bytes_per_second
 *
 * Read at scrape time from `nodes()` (the worker: its own latest sample; the head: every live
 * node's, as their heartbeats carried them). A figure the host did not give is left out.
 */
import type { HostSample } from "@neurogrid/schema";
import { Gauge, type Registry } from "prom-client";
import type { NodeSample } from "./gpu-gauges.js";

const MIB = 1024 * 1024;

const GAUGES: readonly [string, string, (host: HostSample) => number | undefined][] = [
  [
    "cpu_utilization_ratio",
    "Host CPU busy share of all cores (0..1)",
    (h) => scale(h.cpuUtilizationPct, 0.01),
  ],
  ["load_average", "Host 1-minute load average", (h) => h.loadAverage],
  ["cpu_cores", "Host CPU cores", (h) => h.cpuCores],
  ["memory_used_bytes", "Host memory in use", (h) => h.memoryUsedMb * MIB],
  ["memory_total_bytes", "Host memory in all", (h) => h.memoryTotalMb * MIB],
  [
    "network_receive_bytes_per_second",
    "Host network bytes received per second (not loopback)",
    (h) => h.netRxBytesPerS,
  ],
  [
    "network_transmit_bytes_per_second",
    "Host network bytes sent per second (not loopback)",
    (h) => h.netTxBytesPerS,
  ],
];

function scale(value: number | undefined, factor: number): number | undefined {
  return value === undefined ? undefined : value * factor;
}

export function registerHostGauges(registry: Registry, nodes: () => Iterable<NodeSample>): void {
  for (const [suffix, help, read] of GAUGES) {
    new Gauge({
      name: `neurogrid_host_${suffix}`,
      help,
      labelNames: ["node"],
      registers: [registry],
      collect() {
        this.reset();
        for (const { nodeId, telemetry } of nodes()) {
          const value = telemetry?.host === undefined ? undefined : read(telemetry.host);
          if (value !== undefined) this.set({ node: nodeId }, value);
        }
      },
    });
  }
}
