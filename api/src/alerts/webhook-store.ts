import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/postgresql";

/** The alert webhooks an admin configured, and the log of every delivery attempt (PostgreSQL). */
export interface WebhookRow {
  id: string;
  url: string;
  secret: string;
  created_at: Date;
  created_by: string | null;
}

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  delivery_id: string;
  event: string;
  alert_id: string | null;
  attempt: number;
  ok: boolean;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  at: Date;
}

export type DeliveryAttempt = Omit<DeliveryRow, "id" | "at">;

const MAX_LISTED = 1000;

export async function addWebhook(
  em: EntityManager,
  w: { url: string; secret: string; by: string },
): Promise<WebhookRow> {
  const [row] = await em.execute<WebhookRow[]>(
    "insert into alert_webhooks (id, url, secret, created_by) values (?, ?, ?, ?) returning *",
    [randomUUID(), w.url, w.secret, w.by],
  );
  if (!row) throw new Error("insert into alert_webhooks returned no row");
  return row;
}

/** The webhooks not removed, oldest first. */
export async function activeWebhooks(em: EntityManager): Promise<WebhookRow[]> {
  return em.execute<WebhookRow[]>(
    "select * from alert_webhooks where removed_at is null order by created_at, id",
  );
}

/** Whether a webhook was there to remove (its delivery log stays). */
export async function removeWebhook(em: EntityManager, id: string): Promise<boolean> {
  const rows = await em.execute<{ id: string }[]>(
    "update alert_webhooks set removed_at = now() where id = ? and removed_at is null returning id",
    [id],
  );
  return rows.length > 0;
}

export async function logDelivery(em: EntityManager, d: DeliveryAttempt): Promise<void> {
  await em.execute(
    `insert into alert_webhook_deliveries
       (webhook_id, delivery_id, event, alert_id, attempt, ok, status_code, error, duration_ms)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      d.webhook_id,
      d.delivery_id,
      d.event,
      d.alert_id,
      d.attempt,
      d.ok,
      d.status_code,
      d.error,
      d.duration_ms,
    ],
  );
}

/** The latest attempts, newest first; of one webhook when given. */
export async function listDeliveries(
  em: EntityManager,
  webhookId: string | undefined,
  limit: number,
): Promise<DeliveryRow[]> {
  const n = Math.max(1, Math.min(MAX_LISTED, limit));
  return webhookId
    ? em.execute<DeliveryRow[]>(
        "select * from alert_webhook_deliveries where webhook_id = ? order by at desc, id desc limit ?",
        [webhookId, n],
      )
    : em.execute<DeliveryRow[]>("select * from alert_webhook_deliveries order by at desc, id desc limit ?", [
        n,
      ]);
}
