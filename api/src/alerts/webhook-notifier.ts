import { randomUUID } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import type { GpuAlertEvent } from "./alert-service.js";
import {
  type ClaimedDelivery,
  claimDueDeliveries,
  enqueueDeliveries,
  finishDelivery,
  nextClaimableInMs,
  releaseDelivery,
  rescheduleDelivery,
} from "./webhook-outbox.js";
import { SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from "./webhook-signature.js";
import { activeWebhooks, logDelivery } from "./webhook-store.js";

/**
 * Sends each GPU alert change to every configured webhook: an HTTP POST with a JSON body, signed
 * (webhook-signature.ts), retried with exponential backoff on a network error, a timeout, a 429
 * or a 5xx (another 4xx is the receiver's final word), every attempt logged in
 * alert_webhook_deliveries. One delivery id per event and webhook, the same on each retry, so a
 * receiver can drop a repeat. Only the api process that recorded a change enqueues it
 * (AlertService.onRecorded), so it goes out once however many processes run.
 *
 * Deliveries wait in PostgreSQL (webhook-outbox.ts), so a retry scheduled by a process that
 * stops or dies is sent by the next one that runs: each process sends what is due and claims it
 * under a lease, and wakes when the next delivery is due (or at the latest after OUTBOX_POLL_MS,
 * for leases left by a process that died).
 */
export interface WebhookNotifierOptions {
  /** Attempts per event and webhook, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubled before each further one. */
  backoffBaseMs: number;
  /** An attempt without an answer for this long has failed. */
  timeoutMs: number;
}

const USER_AGENT = "NeuroGrid-Webhooks/1";
const MAX_ERROR_CHARS = 500;
const TOO_MANY_REQUESTS = 429;
const FIRST_SERVER_ERROR = 500;
/** A claim outlives an attempt's timeout by this much before another process may take it. */
const LEASE_MARGIN_MS = 5_000;
/** The longest a process sleeps between looks at the outbox. */
const OUTBOX_POLL_MS = 5_000;
/** Deliveries claimed per look. */
const CLAIM_BATCH = 50;

interface Outcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  retry: boolean;
}

export class AlertWebhookNotifier {
  readonly #orm: MikroORM;
  readonly #options: WebhookNotifierOptions;
  readonly #log: (msg: string, err?: unknown) => void;
  readonly #closing = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  #sweeping: Promise<void> | undefined;
  #sweepAgain = false;
  #wake: NodeJS.Timeout | undefined;

  constructor(orm: MikroORM, options: WebhookNotifierOptions, log: (msg: string, err?: unknown) => void) {
    this.#orm = orm;
    this.#options = options;
    this.#log = log;
  }

  /** Sends what earlier processes left due, and keeps sending as deliveries fall due. */
  start(): void {
    this.#kick();
  }

  /** Queues one change for every webhook and sends it at once, in the background. */
  notify(event: GpuAlertEvent): void {
    this.#track(this.#enqueue(event).then(() => this.#kick()));
  }

  /** Stops looking for due deliveries; attempts under way are given back for the next process. */
  async close(): Promise<void> {
    this.#closing.abort();
    clearTimeout(this.#wake);
    await this.#sweeping;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #track(work: Promise<void>): void {
    const tracked: Promise<void> = work
      .catch((err) => this.#log("alert webhooks: delivery failed", err))
      .finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  async #enqueue(event: GpuAlertEvent): Promise<void> {
    if (this.#closing.signal.aborted) return;
    const em = this.#orm.em.fork();
    const name = `gpu_alert.${event.change}`;
    const hooks = await activeWebhooks(em);
    await enqueueDeliveries(
      em,
      hooks.map((hook) => {
        const deliveryId = randomUUID();
        return {
          delivery_id: deliveryId,
          webhook_id: hook.id,
          event: name,
          alert_id: event.alert.id,
          body: JSON.stringify({ event: name, deliveryId, alert: alertPayload(event) }),
        };
      }),
    );
  }

  #kick(): void {
    if (this.#closing.signal.aborted) return;
    if (this.#sweeping) {
      this.#sweepAgain = true;
      return;
    }
    clearTimeout(this.#wake);
    this.#sweeping = this.#sweep()
      .catch((err) => this.#log("alert webhooks: outbox sweep failed", err))
      .finally(() => {
        this.#sweeping = undefined;
        if (this.#sweepAgain) {
          this.#sweepAgain = false;
          this.#kick();
        }
      });
  }

  async #sweep(): Promise<void> {
    const em = this.#orm.em.fork();
    const leaseMs = this.#options.timeoutMs + LEASE_MARGIN_MS;
    for (;;) {
      if (this.#closing.signal.aborted) return;
      const claimed = await claimDueDeliveries(em, leaseMs, CLAIM_BATCH);
      for (const delivery of claimed) this.#track(this.#attempt(delivery).finally(() => this.#kick()));
      if (claimed.length < CLAIM_BATCH) break;
    }
    const next = await nextClaimableInMs(em);
    if (this.#closing.signal.aborted) return;
    this.#wake = setTimeout(() => this.#kick(), Math.min(next ?? OUTBOX_POLL_MS, OUTBOX_POLL_MS));
    this.#wake.unref();
  }

  async #attempt(d: ClaimedDelivery): Promise<void> {
    const em = this.#orm.em.fork();
    if (d.removed) {
      await finishDelivery(em, d.delivery_id);
      return;
    }
    const started = performance.now();
    const outcome = await this.#post(d);
    if (this.#closing.signal.aborted && !outcome.ok && outcome.statusCode === null) {
      await releaseDelivery(em, d.delivery_id); // cut short by closing: the next process retries it
      return;
    }
    await logDelivery(em, {
      webhook_id: d.webhook_id,
      delivery_id: d.delivery_id,
      event: d.event,
      alert_id: d.alert_id,
      attempt: d.attempt,
      ok: outcome.ok,
      status_code: outcome.statusCode,
      error: outcome.error,
      duration_ms: Math.round(performance.now() - started),
    });
    if (outcome.ok || !outcome.retry || d.attempt >= this.#options.attempts) {
      await finishDelivery(em, d.delivery_id);
    } else {
      await rescheduleDelivery(em, d.delivery_id, this.#options.backoffBaseMs * 2 ** (d.attempt - 1));
    }
  }

  async #post(d: ClaimedDelivery): Promise<Outcome> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const res = await fetch(d.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": USER_AGENT,
          "x-neurogrid-event": d.event,
          "x-neurogrid-delivery": d.delivery_id,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhookBody(d.secret, timestamp, d.body),
        },
        body: d.body,
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(this.#options.timeoutMs), this.#closing.signal]),
      });
      await res.body?.cancel();
      const ok = res.status >= 200 && res.status < 300;
      return {
        ok,
        statusCode: res.status,
        error: ok ? null : `HTTP ${res.status}`,
        retry: res.status === TOO_MANY_REQUESTS || res.status >= FIRST_SERVER_ERROR,
      };
    } catch (err) {
      const error = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_CHARS);
      return { ok: false, statusCode: null, error, retry: true };
    }
  }
}

function alertPayload({ alert: a }: GpuAlertEvent): Record<string, unknown> {
  const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
  return {
    id: a.id,
    nodeId: a.node_id,
    gpuIndex: a.gpu_index,
    gpuUuid: a.gpu_uuid,
    metric: a.metric,
    level: a.level,
    value: Number(a.value),
    threshold: Number(a.threshold),
    startedAt: iso(a.started_at),
    resolvedAt: iso(a.resolved_at),
  };
}
