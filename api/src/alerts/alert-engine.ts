import type { GpuSample } from "@neurogrid/schema";
import type { ThresholdLookup } from "./threshold-overrides.js";
import { type AlertLevel, type AlertMetric, type AlertThresholds, metricValue } from "./thresholds.js";

/**
 * The alert state machine, pure: samples in, changes out. Per (node, GPU, metric):
 *
 *   (none) --value >= warning--> OPEN warning --value >= critical--> ESCALATED critical
 *   OPEN (any level) --value < warning - hysteresis--> RESOLVED --cooldown--> (none)
 *
 * An alert keeps its highest level until it resolves. After it resolves, the same GPU and
 * metric raise no new alert for `cooldownMs` (a GPU cycling around the threshold alerts once
 * per cooldown, not once per poll).
 */
export interface AlertChange {
  change: "opened" | "escalated" | "resolved";
  nodeId: string;
  gpuIndex: number;
  gpuUuid: string;
  /** A GPU metric, or "treasury" for the treasury reconciliation's alert (treasury/). */
  metric: AlertMetric | "treasury";
  level: AlertLevel;
  value: number;
  threshold: number;
  atMs: number;
}

interface OpenAlert {
  level: AlertLevel;
}

export class AlertEngine {
  readonly #open = new Map<string, OpenAlert>();
  readonly #resolvedAt = new Map<string, number>();

  readonly #thresholds: AlertThresholds;
  readonly #cooldownMs: number;
  readonly #overrides: ThresholdLookup | undefined;

  /** `overrides`: an admin's thresholds for a node or GPU, over `thresholds` (threshold-overrides.ts). */
  constructor(thresholds: AlertThresholds, cooldownMs: number, overrides?: ThresholdLookup) {
    this.#thresholds = thresholds;
    this.#cooldownMs = cooldownMs;
    this.#overrides = overrides;
  }

  evaluate(nodeId: string, gpus: readonly GpuSample[], atMs: number): AlertChange[] {
    const changes: AlertChange[] = [];
    for (const gpu of gpus) {
      for (const metric of Object.keys(this.#thresholds) as AlertMetric[]) {
        const value = metricValue(gpu, metric);
        if (value === undefined) continue;
        const t = { ...this.#thresholds[metric], ...this.#overrides?.(nodeId, gpu.index, metric) };
        const change = this.#step(`${nodeId}|${gpu.index}|${metric}`, t, value, atMs);
        if (change)
          changes.push({ ...change, nodeId, gpuIndex: gpu.index, gpuUuid: gpu.uuid, metric, value, atMs });
      }
    }
    return changes;
  }

  #step(
    key: string,
    t: AlertThresholds[AlertMetric],
    value: number,
    atMs: number,
  ): Pick<AlertChange, "change" | "level" | "threshold"> | undefined {
    const current = this.#open.get(key);
    if (current) {
      if (current.level === "warning" && value >= t.critical) {
        current.level = "critical";
        return { change: "escalated", level: "critical", threshold: t.critical };
      }
      if (value < t.warning - t.hysteresis) {
        this.#open.delete(key);
        this.#resolvedAt.set(key, atMs);
        return { change: "resolved", level: current.level, threshold: t.warning };
      }
      return undefined;
    }
    if (value < t.warning) return undefined;
    const resolved = this.#resolvedAt.get(key);
    if (resolved !== undefined && atMs - resolved < this.#cooldownMs) return undefined;
    const level: AlertLevel = value >= t.critical ? "critical" : "warning";
    this.#open.set(key, { level });
    return { change: "opened", level, threshold: level === "critical" ? t.critical : t.warning };
  }
}
