/**
 * A metric whose samples are computed at scrape time from state kept elsewhere, for the two
 * shapes prom-client's own classes cannot hold: a histogram added up from bucket deltas (it
 * only observes single values) and a gauge whose label names differ per series (an info
 * metric: the labels an actor reports). The registry reads a metric only through its name,
 * type and get() (prom-client 15), which is what this provides; label values are escaped by the
 * registry as for its own metrics.
 */
import type { Metric, Registry } from "prom-client";
import { CALL_DURATION_BUCKETS, type CallSeries } from "./call-histogram.js";

export interface Sample {
  /** The full series name when it differs from the metric's (a histogram's _bucket, _sum, _count). */
  metricName?: string;
  labels: Record<string, string>;
  value: number;
}

export interface CollectedMetric {
  name: string;
  help: string;
  type: "gauge" | "histogram";
  collect: () => Sample[];
}

export function registerCollected(registry: Registry, metric: CollectedMetric): void {
  const { name, help, type, collect } = metric;
  const get = async () => ({ name, help, type, aggregator: "sum", values: collect() });
  // Not one of prom-client's classes, but the registry needs no more than these fields.
  registry.registerMetric({ name, help, type, get } as unknown as Metric);
}

/** The _bucket (cumulative, le last), _sum and _count samples of one histogram series. */
export function histogramSamples(name: string, labels: Record<string, string>, series: CallSeries): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  for (let i = 0; i <= CALL_DURATION_BUCKETS.length; i += 1) {
    cumulative += series.buckets[i] ?? 0;
    const bound = CALL_DURATION_BUCKETS[i];
    const le = bound === undefined ? "+Inf" : String(bound);
    samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
  }
  samples.push({ metricName: `${name}_sum`, labels, value: series.sum });
  samples.push({ metricName: `${name}_count`, labels, value: series.count });
  return samples;
}
