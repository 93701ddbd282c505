/**
 * Scheduling reacts to heat: a GPU whose temperature reaches the critical threshold takes no
 * new actors (its actors keep running) until it has cooled below threshold - hysteresis. The
 * state follows each node's telemetry (node-manager.ts onTelemetry) into the resource table
 * (setGpuUnschedulable); when a GPU recovers, the table's change listeners try waiting actors
 * again.
 *
 *   usable ──(temperature >= critical)──▶ too hot ──(temperature < critical - hysteresis)──▶ usable
 *
 * A sample without a temperature for a GPU (N/A, the GPU vanished from the sample, nvidia-smi
 * unavailable) changes nothing: the last known state holds. A node that (re)joins with fresh
 * resources starts with every GPU usable; its next sample decides again.
 */
import type { NodeTelemetry } from "@neurogrid/schema";
import type { LogFn } from "../logging/logger.js";
import type { ResourceTable } from "./resource-table.js";

export interface GpuHeatOptions {
  criticalTempC: number;
  /** Degrees below the threshold a GPU must cool to before it takes actors again (5). */
  hysteresisC?: number;
  resources: ResourceTable;
  log?: LogFn;
}

export class GpuHeatGuard {
  readonly #critical: number;
  readonly #recovery: number;
  readonly #resources: ResourceTable;
  readonly #log: LogFn;
  /** node id -> indices of its GPUs that are too hot now. */
  readonly #hot = new Map<string, Set<number>>();

  constructor(options: GpuHeatOptions) {
    this.#critical = options.criticalTempC;
    this.#recovery = options.criticalTempC - (options.hysteresisC ?? 5);
    this.#resources = options.resources;
    this.#log = options.log ?? (() => {});
  }

  /** A node joined with fresh resources: nothing of it is known to be hot. */
  forget(nodeId: string): void {
    this.#hot.delete(nodeId);
  }

  update(nodeId: string, telemetry: NodeTelemetry): void {
    const hot = this.#hot.get(nodeId) ?? new Set<number>();
    this.#hot.set(nodeId, hot);
    for (const gpu of telemetry.gpus) {
      const t = gpu.temperatureC;
      if (t === undefined) continue;
      if (t >= this.#critical) {
        const reason = `is too hot: ${t} °C >= critical ${this.#critical} °C`;
        if (!hot.has(gpu.index))
          this.#log(`node ${nodeId}: GPU ${gpu.index} ${reason}; it takes no new actors`);
        hot.add(gpu.index);
        this.#resources.setGpuUnschedulable(nodeId, gpu.index, reason);
      } else if (hot.has(gpu.index)) {
        if (t < this.#recovery) {
          hot.delete(gpu.index);
          this.#log(`node ${nodeId}: GPU ${gpu.index} cooled to ${t} °C; it takes actors again`);
          this.#resources.setGpuUnschedulable(nodeId, gpu.index, undefined);
        } else {
          const reason = `is cooling down: ${t} °C, usable below ${this.#recovery} °C`;
          this.#resources.setGpuUnschedulable(nodeId, gpu.index, reason);
        }
      }
    }
  }
}
