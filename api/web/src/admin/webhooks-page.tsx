import { useEffect, useState } from "react";
import { useMutation, useQuery, useSubscription } from "urql";
import type {
  AddAlertWebhookMutation,
  AddAlertWebhookVariables,
  AlertWebhooksQuery,
  RemoveAlertWebhookMutation,
  RemoveAlertWebhookVariables,
  WebhookAlertChangesSubscription,
} from "../generated/operation-types.js";
import { formatTime } from "../money.js";
import {
  ADD_ALERT_WEBHOOK,
  ALERT_WEBHOOKS,
  REMOVE_ALERT_WEBHOOK,
  WEBHOOK_ALERT_CHANGES,
} from "./admin-pages-operations.js";

/**
 * The alert webhooks (add one: its signing secret is shown once; remove one), the deliveries
 * waiting for an attempt, and the latest attempts. Deliveries have no subscription: the page is
 * read again when an alert changes (gpuAlerts: a delivery is on its way), just after the next
 * waiting retry falls due, and every REFRESH_MS.
 */
const REFRESH_MS = 5_000;
/** How long after a retry's due time the log is read again (the attempt takes a moment). */
const RETRY_SETTLE_MS = 500;

export function WebhooksPage() {
  const [{ data, error }, reload] = useQuery<AlertWebhooksQuery>({ query: ALERT_WEBHOOKS });
  const [added, addWebhook] = useMutation<AddAlertWebhookMutation, AddAlertWebhookVariables>(
    ADD_ALERT_WEBHOOK,
  );
  const [, removeWebhook] = useMutation<RemoveAlertWebhookMutation, RemoveAlertWebhookVariables>(
    REMOVE_ALERT_WEBHOOK,
  );
  const [{ data: alertEvent }] = useSubscription<WebhookAlertChangesSubscription>({
    query: WEBHOOK_ALERT_CHANGES,
  });
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  useEffect(() => {
    if (alertEvent) reload({ requestPolicy: "network-only" });
  }, [alertEvent, reload]);
  useEffect(() => {
    const timer = setInterval(() => reload({ requestPolicy: "network-only" }), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const retries = data?.alertWebhookRetries ?? [];
  const nextDue = Math.min(...retries.map((r) => Date.parse(r.dueAt)));
  useEffect(() => {
    if (!Number.isFinite(nextDue)) return;
    const wait = Math.max(0, nextDue - Date.now()) + RETRY_SETTLE_MS;
    const timer = setTimeout(() => reload({ requestPolicy: "network-only" }), wait);
    return () => clearTimeout(timer);
  }, [nextDue, reload]);
  const hooks = data?.alertWebhooks ?? [];
  const urlOf = new Map(hooks.map((h) => [h.id, h.url]));
  const deliveries = data?.alertWebhookDeliveries ?? [];
  return (
    <div className="grid">
      <section className="card wide" aria-labelledby="webhooks-title">
        <h2 id="webhooks-title">Alert webhooks</h2>
        <p className="muted">
          Every GPU alert change is POSTed as JSON to each webhook, signed with its secret (header
          x-neurogrid-signature), and retried with backoff.
        </p>
        <form
          className="search-form"
          onSubmit={(e) => {
            e.preventDefault();
            void addWebhook({ url: url.trim() }).then((r) => {
              const made = r.data?.addAlertWebhook;
              if (!made) return;
              setSecret(made.secret);
              setUrl("");
              reload({ requestPolicy: "network-only" });
            });
          }}
        >
          <label>
            Webhook URL
            <input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
          </label>
          <button type="submit" disabled={added.fetching}>
            Add webhook
          </button>
        </form>
        {added.error ? <p className="error">{added.error.message}</p> : null}
        {secret ? (
          <div className="notice" role="status">
            <p>Its signing secret — copy it now, it is never shown again:</p>
            <code data-testid="webhook-secret" className="secret">
              {secret}
            </code>
            <button type="button" className="secondary" onClick={() => setSecret(null)}>
              Done
            </button>
          </div>
        ) : null}
        {error ? <p className="error">{error.message}</p> : null}
        {data && hooks.length === 0 ? <p className="muted">No webhooks yet.</p> : null}
        <ul className="plain" aria-label="Webhooks">
          {hooks.map((h) => (
            <li key={h.id} data-testid="webhook">
              <code className="wrap">{h.url}</code>{" "}
              <span className="muted">since {formatTime(h.createdAt)}</span>{" "}
              <button
                type="button"
                className="secondary"
                aria-label={`Remove webhook ${h.url}`}
                onClick={() =>
                  void removeWebhook({ id: h.id }).then(() => reload({ requestPolicy: "network-only" }))
                }
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="card wide" aria-labelledby="retries-title">
        <h2 id="retries-title">Waiting to be sent</h2>
        {data && retries.length === 0 ? <p className="muted">Nothing waiting.</p> : null}
        <ul className="plain" aria-label="Deliveries waiting">
          {retries.map((r) => (
            <li key={r.deliveryId} data-testid="waiting-delivery">
              {r.event} to <span className="wrap">{urlOf.get(r.webhookId) ?? "a removed webhook"}</span>:
              attempt {r.nextAttempt} at {formatTime(r.dueAt)}
            </li>
          ))}
        </ul>
      </section>
      <section className="card wide" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Delivery log</h2>
        {data && deliveries.length === 0 ? <p className="muted">No deliveries yet.</p> : null}
        <div className="table-wrap">
          <table>
            <caption className="sr-only">The latest delivery attempts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">At</th>
                <th scope="col">Webhook</th>
                <th scope="col">Event</th>
                <th scope="col">Attempt</th>
                <th scope="col">Result</th>
                <th scope="col">Took</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={`${d.deliveryId}-${d.attempt}`} data-testid="delivery">
                  <td>{formatTime(d.at)}</td>
                  <td className="wrap">{urlOf.get(d.webhookId) ?? "removed"}</td>
                  <td>{d.event}</td>
                  <td>{d.attempt}</td>
                  <td>
                    <span className={`state ${d.ok ? "state-completed" : "state-failed"}`}>
                      {d.ok ? "delivered" : "failed"}
                    </span>{" "}
                    {d.statusCode ?? d.error ?? ""}
                  </td>
                  <td>{d.durationMs} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
