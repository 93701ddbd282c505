import type { GpuSample } from "@neurogrid/schema";

/**
 * What a GPU alert watches. Each metric has a warning and a critical threshold and a
 * hysteresis: an open alert resolves only once the value is below warning − hysteresis, so a
 * value hovering at the threshold does not flap. Defaults follow what GPU owners watch:
 * temperature (°C), memory used (% of total), power draw (% of the limit).
 */
export type AlertMetric = "temperature" | "memory" | "power";
export type AlertLevel = "warning" | "critical";

interface MetricThresholds {
  warning: number;
  critical: number;
  hysteresis: number;
}

export type AlertThresholds = Record<AlertMetric, MetricThresholds>;

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  temperature: { warning: 80, critical: 90, hysteresis: 5 },
  memory: { warning: 90, critical: 97, hysteresis: 5 },
  power: { warning: 95, critical: 100, hysteresis: 5 },
};

/** The value of a metric in a sample, or undefined when the GPU did not report it. */
export function metricValue(sample: GpuSample, metric: AlertMetric): number | undefined {
  switch (metric) {
    case "temperature":
      return sample.temperatureC;
    case "memory":
      return sample.memoryUsedMb !== undefined && sample.memoryTotalMb
        ? (100 * sample.memoryUsedMb) / sample.memoryTotalMb
        : undefined;
    case "power":
      return sample.powerDrawW !== undefined && sample.powerLimitW
        ? (100 * sample.powerDrawW) / sample.powerLimitW
        : undefined;
  }
}
