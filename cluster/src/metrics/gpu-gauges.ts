/**
 * GPU gauges from telemetry samples (labels node, gpu, uuid), in Prometheus base units:
 *
 *   neurogrid_gpu_temperature_celsius     neurogrid_gpu_utilization_ratio (0..1)
 *   neurogrid_gpu_memory_used_bytes       neurogrid_gpu_memory_total_bytes
 *   neurogrid_gpu_power_draw_watts        neurogrid_gpu_power_limit_watts
 *   neurogrid_gpu_sm_clock_hertz          neurogrid_gpu_memory_clock_hertz
 *
 * Read at scrape time from `nodes()` (the worker: its own latest sample; the head: every live
 * node's). A metric the GPU does not report is left out, not reported as 0.
 */
import type { GpuSample, NodeTelemetry } from "@neurogrid/schema";
import { Gauge, type Registry } from "prom-client";

export interface NodeSample {
  nodeId: string;
  telemetry: NodeTelemetry | undefined;
}

const MIB = 1024 * 1024;
const MHZ = 1_000_000;

const GAUGES: readonly [string, string, (gpu: GpuSample) => number | undefined][] = [
  ["temperature_celsius", "GPU core temperature", (g) => g.temperatureC],
  ["utilization_ratio", "GPU utilisation (0..1)", (g) => scale(g.utilizationPct, 0.01)],
  ["memory_used_bytes", "GPU memory in use", (g) => scale(g.memoryUsedMb, MIB)],
  ["memory_total_bytes", "GPU memory in all", (g) => scale(g.memoryTotalMb, MIB)],
  ["power_draw_watts", "GPU power draw", (g) => g.powerDrawW],
  ["power_limit_watts", "GPU power limit", (g) => g.powerLimitW],
  ["sm_clock_hertz", "GPU SM clock", (g) => scale(g.smClockMhz, MHZ)],
  ["memory_clock_hertz", "GPU memory clock", (g) => scale(g.memClockMhz, MHZ)],
];

function scale(value: number | undefined, factor: number): number | undefined {
  return value === undefined ? undefined : value * factor;
}

export function registerGpuGauges(registry: Registry, nodes: () => Iterable<NodeSample>): void {
  for (const [suffix, help, read] of GAUGES) {
    new Gauge({
      name: `neurogrid_gpu_${suffix}`,
      help,
      labelNames: ["node", "gpu", "uuid"],
      registers: [registry],
      collect() {
        this.reset();
        for (const { nodeId, telemetry } of nodes()) {
          for (const gpu of telemetry?.gpus ?? []) {
            const value = read(gpu);
            if (value !== undefined)
              this.set({ node: nodeId, gpu: String(gpu.index), uuid: gpu.uuid }, value);
          }
        }
      },
    });
  }
}
