import type { EntityManager } from "@mikro-orm/postgresql";
import type { AlertMetric } from "./thresholds.js";

/**
 * Thresholds an admin set for one node's GPUs or one GPU (table alert_thresholds), over the
 * defaults. A GPU's own row wins over its node's row (gpu_index -1); metrics without a row keep
 * the defaults, and so does the hysteresis. Each api process holds them in memory (the alert
 * engine asks on every sample) and reloads them when a change is announced.
 */
export const EVERY_GPU = -1;

export interface ThresholdRow {
  node_id: string;
  gpu_index: number;
  metric: AlertMetric;
  warning: number;
  critical: number;
  updated_at: string;
  updated_by: string | null;
}

export type ThresholdLookup = (
  nodeId: string,
  gpuIndex: number,
  metric: AlertMetric,
) => { warning: number; critical: number } | undefined;

export class ThresholdOverrides {
  #rows = new Map<string, { warning: number; critical: number }>();

  readonly lookup: ThresholdLookup = (nodeId, gpuIndex, metric) =>
    this.#rows.get(`${nodeId}|${gpuIndex}|${metric}`) ?? this.#rows.get(`${nodeId}|${EVERY_GPU}|${metric}`);

  async load(em: EntityManager): Promise<void> {
    const rows = await listThresholds(em);
    this.#rows = new Map(
      rows.map((r) => [
        `${r.node_id}|${r.gpu_index}|${r.metric}`,
        { warning: Number(r.warning), critical: Number(r.critical) },
      ]),
    );
  }
}

export function listThresholds(em: EntityManager, nodeId?: string): Promise<ThresholdRow[]> {
  return em.execute<ThresholdRow[]>(
    `select * from alert_thresholds ${nodeId ? "where node_id = ?" : ""} order by node_id, gpu_index, metric`,
    nodeId ? [nodeId] : [],
  );
}

export async function setThreshold(
  em: EntityManager,
  t: { nodeId: string; gpuIndex: number; metric: AlertMetric; warning: number; critical: number; by: string },
): Promise<ThresholdRow> {
  const [row] = await em.execute<ThresholdRow[]>(
    `insert into alert_thresholds (node_id, gpu_index, metric, warning, critical, updated_at, updated_by)
     values (?, ?, ?, ?, ?, now(), ?)
     on conflict (node_id, gpu_index, metric) do update set warning = excluded.warning,
       critical = excluded.critical, updated_at = now(), updated_by = excluded.updated_by
     returning *`,
    [t.nodeId, t.gpuIndex, t.metric, t.warning, t.critical, t.by],
  );
  if (!row) throw new Error("alert threshold upsert returned no row");
  return row;
}

export async function removeThreshold(
  em: EntityManager,
  t: { nodeId: string; gpuIndex: number; metric: AlertMetric },
): Promise<boolean> {
  const rows = await em.execute<{ node_id: string }[]>(
    "delete from alert_thresholds where node_id = ? and gpu_index = ? and metric = ? returning node_id",
    [t.nodeId, t.gpuIndex, t.metric],
  );
  return rows.length > 0;
}
