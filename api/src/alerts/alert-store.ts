import { randomUUID } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import type { AlertChange } from "./alert-engine.js";

/**
 * Records alert changes in PostgreSQL. Every api process evaluates the same telemetry, so the
 * same change may be recorded by several at once: each write is conditional (the partial unique
 * index for "opened", `resolved_at is null` for the rest) and says whether it was this one that
 * recorded it, so each change is announced once.
 */
export interface AlertRow {
  id: string;
  node_id: string;
  gpu_index: number;
  gpu_uuid: string;
  metric: string;
  level: string;
  value: number;
  threshold: number;
  started_at: Date;
  resolved_at: Date | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
}

export async function recordAlertChange(orm: MikroORM, c: AlertChange): Promise<AlertRow | undefined> {
  const em = orm.em.fork();
  const at = new Date(c.atMs);
  if (c.change === "opened") {
    const rows = await em.execute<AlertRow[]>(
      `insert into gpu_alerts (id, node_id, gpu_index, gpu_uuid, metric, level, value, threshold, started_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning *`,
      [randomUUID(), c.nodeId, c.gpuIndex, c.gpuUuid, c.metric, c.level, c.value, c.threshold, at],
    );
    return rows[0];
  }
  const set = c.change === "escalated" ? "level = ?, value = ?, threshold = ?" : "resolved_at = ?, value = ?";
  const params = c.change === "escalated" ? [c.level, c.value, c.threshold] : [at, c.value];
  const guard = c.change === "escalated" ? "and level = 'warning'" : "";
  const rows = await em.execute<AlertRow[]>(
    `update gpu_alerts set ${set}
      where node_id = ? and gpu_index = ? and metric = ? and resolved_at is null ${guard} returning *`,
    [...params, c.nodeId, c.gpuIndex, c.metric],
  );
  return rows[0];
}

/**
 * Marks an alert acknowledged by `accountId`, once: the first acknowledgement is kept. `providerId`
 * limits it to that provider's nodes (undefined: an admin, any node). Undefined when no such alert.
 */
export async function acknowledgeAlert(
  orm: MikroORM,
  q: { alertId: string; accountId: string; providerId: string | undefined; at: Date },
): Promise<AlertRow | undefined> {
  const em = orm.em.fork();
  const scope = q.providerId ? "and node_id in (select id from nodes where provider_id = ?)" : "";
  const rows = await em.execute<AlertRow[]>(
    `update gpu_alerts
        set acknowledged_at = coalesce(acknowledged_at, ?), acknowledged_by = coalesce(acknowledged_by, ?)
      where id = ? ${scope} returning *`,
    [q.at, q.accountId, q.alertId, ...(q.providerId ? [q.providerId] : [])],
  );
  return rows[0];
}
