import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { MikroORM } from "@mikro-orm/postgresql";
import type { GpuAlertEvent } from "./alert-service.js";
import { SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from "./webhook-signature.js";
import { activeWebhooks, logDelivery, type WebhookRow } from "./webhook-store.js";

/**
 * Sends each GPU alert change to every configured webhook: an HTTP POST with a JSON body, signed
 * (webhook-signature.ts), retried with exponential backoff on a network error, a timeout, a 429
 * or a 5xx (another 4xx is the receiver's final word), every attempt logged in
 * alert_webhook_deliveries. One delivery id per event and webhook, the same on each retry, so a
 * receiver can drop a repeat. Only the api process that recorded a change sends it
 * (AlertService.onRecorded), so it goes out once however many processes run.
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

  constructor(orm: MikroORM, options: WebhookNotifierOptions, log: (msg: string, err?: unknown) => void) {
    this.#orm = orm;
    this.#options = options;
    this.#log = log;
  }

  /** Sends one change to every webhook, in the background. */
  notify(event: GpuAlertEvent): void {
    if (this.#closing.signal.aborted) return;
    const sending: Promise<void> = this.#sendToAll(event)
      .catch((err) => this.#log("alert webhooks: delivery failed", err))
      .finally(() => this.#inFlight.delete(sending));
    this.#inFlight.add(sending);
  }

  /** Stops waiting to retry and lets the attempts under way finish. */
  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #sendToAll(event: GpuAlertEvent): Promise<void> {
    const hooks = await activeWebhooks(this.#orm.em.fork());
    await Promise.all(hooks.map((hook) => this.#send(hook, event)));
  }

  async #send(hook: WebhookRow, event: GpuAlertEvent): Promise<void> {
    const deliveryId = randomUUID();
    const name = `gpu_alert.${event.change}`;
    const body = JSON.stringify({ event: name, deliveryId, alert: alertPayload(event) });
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const outcome = await this.#post(hook, deliveryId, name, body);
      await logDelivery(this.#orm.em.fork(), {
        webhook_id: hook.id,
        delivery_id: deliveryId,
        event: name,
        alert_id: event.alert.id,
        attempt,
        ok: outcome.ok,
        status_code: outcome.statusCode,
        error: outcome.error,
        duration_ms: Math.round(performance.now() - started),
      });
      if (outcome.ok || !outcome.retry || attempt >= this.#options.attempts) return;
      try {
        await sleep(this.#options.backoffBaseMs * 2 ** (attempt - 1), undefined, {
          signal: this.#closing.signal,
        });
      } catch {
        return; // closing: the log shows how far it got
      }
    }
  }

  async #post(hook: WebhookRow, deliveryId: string, name: string, body: string): Promise<Outcome> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const res = await fetch(hook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": USER_AGENT,
          "x-neurogrid-event": name,
          "x-neurogrid-delivery": deliveryId,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhookBody(hook.secret, timestamp, body),
        },
        body,
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
