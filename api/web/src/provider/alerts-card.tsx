import { useMemo } from "react";
import { useMutation, useQuery, useSubscription } from "urql";
import { formatTime } from "../money.js";
import {
  ACKNOWLEDGE_ALERT,
  ALERTS,
  type AlertRow,
  type AlertsData,
  GPU_ALERTS,
  type GpuAlertsData,
} from "./provider-operations.js";

const UNITS: Record<string, string> = { temperature: "°C", memory: "% memory", power: "% of power limit" };

/** GPU alerts, newest first: the stored ones, then every change as gpuAlerts announces it. */
export function AlertsCard() {
  const [{ data, error }, reload] = useQuery<AlertsData>({ query: ALERTS });
  const [{ data: live = {} }] = useSubscription<GpuAlertsData, Record<string, AlertRow>>(
    { query: GPU_ALERTS },
    (seen = {}, next) => ({ ...seen, [next.gpuAlerts.alert.id]: next.gpuAlerts.alert }),
  );
  const [acked, acknowledge] = useMutation(ACKNOWLEDGE_ALERT);
  const alerts = useMemo(() => {
    const byId = new Map<string, AlertRow>();
    for (const a of data?.alerts ?? []) byId.set(a.id, a);
    for (const a of Object.values(live))
      byId.set(a.id, { ...a, acknowledgedAt: a.acknowledgedAt ?? byId.get(a.id)?.acknowledgedAt ?? null });
    return [...byId.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }, [data, live]);

  return (
    <section className="card wide" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts</h2>
      {error ? <p className="error">{error.message}</p> : null}
      {acked.error ? <p className="error">{acked.error.message}</p> : null}
      {alerts.length === 0 ? <p className="muted">No alerts.</p> : null}
      <ul className="alerts" aria-label="GPU alerts">
        {alerts.map((a) => (
          <li key={a.id} className={`alert alert-${a.level}`} data-alert={a.id}>
            <strong>{a.level}</strong> {a.nodeId} GPU {a.gpuIndex}: {a.metric} {Math.round(a.value)}{" "}
            {UNITS[a.metric] ?? ""} (threshold {a.threshold})
            <div className="muted">
              since {formatTime(a.startedAt)}
              {a.resolvedAt ? ` · resolved ${formatTime(a.resolvedAt)}` : " · open"}
              {a.acknowledgedAt ? ` · acknowledged ${formatTime(a.acknowledgedAt)}` : ""}
            </div>
            {a.acknowledgedAt ? null : (
              <button
                type="button"
                className="secondary"
                aria-label={`Acknowledge the ${a.metric} alert of GPU ${a.gpuIndex} on ${a.nodeId}`}
                onClick={() =>
                  void acknowledge({ id: a.id }).then(() => reload({ requestPolicy: "network-only" }))
                }
              >
                Acknowledge
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
