import type { EntityManager } from "@mikro-orm/postgresql";
import type { GpuSample } from "@neurogrid/schema";

/**
 * GPU metrics history in PostgreSQL (table gpu_metrics, migration 20261206200000):
 *
 *   resolution 1 s   the samples as telemetry brought them, at most one per GPU and second,
 *                    kept RAW_RETENTION_MS (an hour)
 *   resolution 60 s  per-minute averages of those, kept MINUTE_RETENTION_MS (30 days)
 *
 * `downsampleAndPrune` (run every minute by GpuMetricsJob) averages the last few complete
 * minutes again (an upsert, so a late or repeated run changes nothing) and deletes what is past
 * its retention. A query picks the resolution from its step and range, and averages into steps.
 */
const RAW_RETENTION_MS = 3600_000;
export const MINUTE_RETENTION_MS = 30 * 24 * 3600_000;
/** Minutes averaged again on every run, so a run missed or late by this much loses nothing. */
const DOWNSAMPLE_LOOKBACK_MINUTES = 5;
/** Most points one query answers. */
export const MAX_POINTS = 5000;

export interface RecordedSample {
  nodeId: string;
  atMs: number;
  gpu: GpuSample;
}

export interface MetricPoint {
  at: Date;
  temperatureC: number | null;
  utilizationPct: number | null;
  memoryUsedMb: number | null;
  memoryTotalMb: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
}

const num = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);

/** Writes samples at 1 s resolution in one statement; a sample already there is kept. */
export async function recordSamples(em: EntityManager, samples: RecordedSample[]): Promise<void> {
  if (samples.length === 0) return;
  // One JSON parameter (an array parameter would be spread into a list by the query builder).
  const rows = samples.map((s) => ({
    node_id: s.nodeId,
    gpu_index: s.gpu.index,
    at_ms: s.atMs,
    t: num(s.gpu.temperatureC),
    u: num(s.gpu.utilizationPct),
    mu: num(s.gpu.memoryUsedMb),
    mt: num(s.gpu.memoryTotalMb),
    pd: num(s.gpu.powerDrawW),
    pl: num(s.gpu.powerLimitW),
  }));
  await em.execute(
    `insert into gpu_metrics (node_id, gpu_index, resolution_s, at, temperature_c, utilization_pct,
       memory_used_mb, memory_total_mb, power_draw_w, power_limit_w)
     select node_id, gpu_index, 1, to_timestamp(floor(at_ms / 1000)), t, u, mu, mt, pd, pl
       from jsonb_to_recordset(?::jsonb)
         as s(node_id text, gpu_index int, at_ms float8, t real, u real, mu real, mt real, pd real, pl real)
     on conflict do nothing`,
    [JSON.stringify(rows)],
  );
}

/** Averages the last complete minutes into 60 s rows and deletes rows past their retention. */
export async function downsampleAndPrune(em: EntityManager, nowMs: number): Promise<void> {
  const now = new Date(nowMs);
  await em.execute(
    `insert into gpu_metrics (node_id, gpu_index, resolution_s, at, temperature_c, utilization_pct,
       memory_used_mb, memory_total_mb, power_draw_w, power_limit_w, fan_pct)
     select node_id, gpu_index, 60, date_trunc('minute', at), avg(temperature_c), avg(utilization_pct),
            avg(memory_used_mb), avg(memory_total_mb), avg(power_draw_w), avg(power_limit_w), avg(fan_pct)
       from gpu_metrics
      where resolution_s = 1
        and at >= date_trunc('minute', ?::timestamptz) - make_interval(mins => ?)
        and at < date_trunc('minute', ?::timestamptz)
      group by node_id, gpu_index, date_trunc('minute', at)
     on conflict (node_id, gpu_index, resolution_s, at) do update set
       temperature_c = excluded.temperature_c, utilization_pct = excluded.utilization_pct,
       memory_used_mb = excluded.memory_used_mb, memory_total_mb = excluded.memory_total_mb,
       power_draw_w = excluded.power_draw_w, power_limit_w = excluded.power_limit_w,
       fan_pct = excluded.fan_pct`,
    [now, DOWNSAMPLE_LOOKBACK_MINUTES, now],
  );
  await em.execute(
    `delete from gpu_metrics
      where (resolution_s = 1 and at < ?) or (resolution_s = 60 and at < ?)`,
    [new Date(nowMs - RAW_RETENTION_MS), new Date(nowMs - MINUTE_RETENTION_MS)],
  );
}

/**
 * One GPU's metrics from `from` to `to`, averaged per `stepS` seconds. Minute rows answer when
 * the step is a minute or more, or when the range reaches past the hour of 1 s rows.
 */
export async function queryMetrics(
  em: EntityManager,
  q: { nodeId: string; gpu: number; from: Date; to: Date; stepS: number; nowMs: number },
): Promise<MetricPoint[]> {
  const resolution = q.stepS >= 60 || q.from.getTime() < q.nowMs - RAW_RETENTION_MS ? 60 : 1;
  const rows = await em.execute<
    {
      bucket: Date;
      t: number | null;
      u: number | null;
      mu: number | null;
      mt: number | null;
      pd: number | null;
      pl: number | null;
    }[]
  >(
    `select to_timestamp(floor(extract(epoch from at) / ?::float8) * ?::float8) as bucket,
            avg(temperature_c) as t, avg(utilization_pct) as u, avg(memory_used_mb) as mu,
            avg(memory_total_mb) as mt, avg(power_draw_w) as pd, avg(power_limit_w) as pl
       from gpu_metrics
      where node_id = ? and gpu_index = ? and resolution_s = ? and at >= ? and at <= ?
      group by bucket order by bucket limit ?`,
    [q.stepS, q.stepS, q.nodeId, q.gpu, resolution, q.from, q.to, MAX_POINTS],
  );
  const n = (v: number | string | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    at: new Date(r.bucket),
    temperatureC: n(r.t),
    utilizationPct: n(r.u),
    memoryUsedMb: n(r.mu),
    memoryTotalMb: n(r.mt),
    powerDrawW: n(r.pd),
    powerLimitW: n(r.pl),
  }));
}
