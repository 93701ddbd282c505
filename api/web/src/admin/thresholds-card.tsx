import type { FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import {
  ALERT_THRESHOLDS,
  type AlertThresholdsData,
  REMOVE_ALERT_THRESHOLD,
  SET_ALERT_THRESHOLD,
} from "./admin-operations.js";

const METRICS = ["temperature", "memory", "power"];

/** Per-node or per-GPU alert thresholds over the defaults (80/90 °C, 90/97 % memory, 95/100 % power). */
export function ThresholdsCard({ nodeIds }: { nodeIds: string[] }) {
  const [{ data, error }, reload] = useQuery<AlertThresholdsData>({ query: ALERT_THRESHOLDS });
  const [saved, save] = useMutation(SET_ALERT_THRESHOLD);
  const [, remove] = useMutation(REMOVE_ALERT_THRESHOLD);
  const refresh = () => reload({ requestPolicy: "network-only" });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const gpu = String(form.get("gpu") ?? "").trim();
    const answer = await save({
      input: {
        nodeId: String(form.get("node")),
        gpuIndex: gpu === "" ? null : Number(gpu),
        metric: String(form.get("metric")),
        warning: Number(form.get("warning")),
        critical: Number(form.get("critical")),
      },
    });
    if (answer.data) refresh();
  }

  return (
    <section className="card wide" aria-labelledby="thresholds-title">
      <h2 id="thresholds-title">Alert thresholds</h2>
      {error ? <p className="error">{error.message}</p> : null}
      <form className="threshold-form" onSubmit={submit}>
        <label>
          Node
          <select name="node" required>
            {nodeIds.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <label>
          GPU (blank: every GPU)
          <input name="gpu" inputMode="numeric" pattern="[0-9]*" />
        </label>
        <label>
          Metric
          <select name="metric">
            {METRICS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label>
          Warning at
          <input name="warning" type="number" step="any" required />
        </label>
        <label>
          Critical at
          <input name="critical" type="number" step="any" required />
        </label>
        <button type="submit" disabled={saved.fetching || nodeIds.length === 0}>
          Set threshold
        </button>
      </form>
      {saved.error ? <p className="error">{saved.error.message}</p> : null}
      <ul className="plain" aria-label="Thresholds set">
        {data?.alertThresholds.map((t) => (
          <li key={`${t.nodeId}|${t.gpuIndex}|${t.metric}`}>
            {t.nodeId} {t.gpuIndex === null ? "every GPU" : `GPU ${t.gpuIndex}`}: {t.metric} warning{" "}
            {t.warning}, critical {t.critical}{" "}
            <button
              type="button"
              className="secondary"
              onClick={() =>
                void remove({ input: { nodeId: t.nodeId, gpuIndex: t.gpuIndex, metric: t.metric } }).then(
                  refresh,
                )
              }
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
