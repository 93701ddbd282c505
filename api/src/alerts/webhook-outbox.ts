import type { EntityManager } from "@mikro-orm/postgresql";

/**
 * The deliveries still to make (alert_webhook_outbox): written when an alert changes, claimed
 * under a lease by whichever api process sends them, moved to a later due time after a failed
 * attempt, removed when done. Being in PostgreSQL, a retry waiting for its backoff outlives the
 * process that scheduled it.
 */
export interface OutboxEntry {
  delivery_id: string;
  webhook_id: string;
  event: string;
  alert_id: string | null;
  body: string;
}

export interface ClaimedDelivery extends OutboxEntry {
  attempt: number;
  url: string;
  secret: string;
  /** The webhook was removed since: the delivery is dropped, not sent. */
  removed: boolean;
}

export async function enqueueDeliveries(em: EntityManager, entries: readonly OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await em.execute(
    `insert into alert_webhook_outbox (delivery_id, webhook_id, event, alert_id, body, attempt)
     values ${entries.map(() => "(?, ?, ?, ?, ?, 1)").join(", ")}`,
    entries.flatMap((e) => [e.delivery_id, e.webhook_id, e.event, e.alert_id, e.body]),
  );
}

/** Up to `limit` due deliveries no other process holds, now held by this one for `leaseMs`. */
export async function claimDueDeliveries(
  em: EntityManager,
  leaseMs: number,
  limit: number,
): Promise<ClaimedDelivery[]> {
  return em.execute<ClaimedDelivery[]>(
    `update alert_webhook_outbox o set claimed_until = now() + ? * interval '1 millisecond'
     from alert_webhooks w
     where w.id = o.webhook_id and o.delivery_id in (
       select delivery_id from alert_webhook_outbox
       where due_at <= now() and (claimed_until is null or claimed_until < now())
       order by due_at limit ? for update skip locked)
     returning o.delivery_id, o.webhook_id, o.event, o.alert_id, o.body, o.attempt, w.url, w.secret,
       w.removed_at is not null as removed`,
    [leaseMs, limit],
  );
}

/** The next attempt of a delivery, due after `delayMs`, claimable by any process. */
export async function rescheduleDelivery(
  em: EntityManager,
  deliveryId: string,
  delayMs: number,
): Promise<void> {
  await em.execute(
    `update alert_webhook_outbox
     set attempt = attempt + 1, due_at = now() + ? * interval '1 millisecond', claimed_until = null
     where delivery_id = ?`,
    [delayMs, deliveryId],
  );
}

/** Gives a claimed delivery back as it was (this process is closing mid-attempt). */
export async function releaseDelivery(em: EntityManager, deliveryId: string): Promise<void> {
  await em.execute("update alert_webhook_outbox set claimed_until = null where delivery_id = ?", [
    deliveryId,
  ]);
}

export async function finishDelivery(em: EntityManager, deliveryId: string): Promise<void> {
  await em.execute("delete from alert_webhook_outbox where delivery_id = ?", [deliveryId]);
}

/** Milliseconds until some delivery can next be claimed (0: now), or undefined when none waits. */
export async function nextClaimableInMs(em: EntityManager): Promise<number | undefined> {
  // greatest() skips nulls, so the empty table's null is kept apart from "due now".
  const [row] = await em.execute<{ ms: string | number | null }[]>(
    `select case when next_at is null then null
       else greatest(0, extract(epoch from next_at - now()) * 1000) end as ms
     from (select min(greatest(due_at, coalesce(claimed_until, due_at))) as next_at
           from alert_webhook_outbox) n`,
  );
  return row?.ms === null || row?.ms === undefined ? undefined : Math.ceil(Number(row.ms));
}

export interface WaitingDelivery {
  delivery_id: string;
  webhook_id: string;
  event: string;
  attempt: number;
  due_at: string | Date;
}

/** Deliveries not yet made, soonest first: each with the number and due time of its next attempt. */
export async function waitingDeliveries(em: EntityManager, limit: number): Promise<WaitingDelivery[]> {
  return em.execute<WaitingDelivery[]>(
    `select delivery_id, webhook_id, event, attempt, due_at from alert_webhook_outbox
     order by due_at, delivery_id limit ?`,
    [limit],
  );
}
