/**
 * The worker's local status page, served at / by its metrics port (metrics/metrics-server.ts):
 * the node, its link to the head, its GPUs with the latest telemetry, its actor processes, and
 * the calls its actors served (the worker sees calls, not the api's task ids). Plain HTML, no
 * script; it reloads itself every few seconds.
 */

import type { WorkerStatusReply } from "../grpc/wire.js";
import type { ActorMetrics } from "../metrics/actor-metrics.js";

const RELOAD_S = 5;
/** Rows of the calls table at most (the most-served first). */
const MAX_CALL_ROWS = 50;

const STYLE = `body{font:15px system-ui,sans-serif;margin:1rem;color:#1b2130}
table{border-collapse:collapse;margin-bottom:1.2rem}th,td{text-align:left;padding:.25rem .6rem;border-bottom:1px solid #d5dae4}
.ok{color:#1a6b36}.bad{color:#a4161a}`;

function html(value: unknown): string {
  return String(value)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function table(caption: string, head: string[], rows: unknown[][], empty: string): string {
  if (rows.length === 0) return `<h2>${html(caption)}</h2><p>${html(empty)}</p>`;
  const th = head.map((h) => `<th scope="col">${html(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${html(c ?? "—")}</td>`).join("")}</tr>`).join("");
  return `<h2>${html(caption)}</h2><table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

export function renderWorkerStatusPage(
  status: WorkerStatusReply,
  calls: ReturnType<ActorMetrics["callTotals"]>,
  nowMs: number,
): string {
  const connected = status.headState === "connected";
  const lastReply =
    status.lastHeadReplyMs > 0 ? `${Math.round((nowMs - status.lastHeadReplyMs) / 1000)} s ago` : "never";
  const gpus = (status.telemetry?.gpus ?? []).map((g) => [
    g.index,
    g.name,
    g.temperatureC === undefined ? undefined : `${g.temperatureC} °C`,
    g.utilizationPct === undefined ? undefined : `${g.utilizationPct} %`,
    g.memoryUsedMb === undefined ? undefined : `${g.memoryUsedMb} / ${g.memoryTotalMb ?? "?"} MiB`,
    g.powerDrawW === undefined ? undefined : `${g.powerDrawW} / ${g.powerLimitW ?? "?"} W`,
  ]);
  const declared = (status.resources?.gpus ?? []).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${RELOAD_S}">
<title>NeuroGrid worker ${html(status.nodeId)}</title><style>${STYLE}</style></head>
<body><main>
<h1>Worker <code id="node-id">${html(status.nodeId)}</code></h1>
<p>Head <code>${html(status.headAddress)}</code>: <strong id="head-state" class="${connected ? "ok" : "bad"}">${html(status.headState)}</strong>, last reply ${html(lastReply)}.
Up since ${html(new Date(status.startedAtMs).toISOString())}. Telemetry: ${html(status.telemetrySource)}${status.telemetry ? ` (${html(status.telemetry.status)})` : ""}.</p>
${table(`GPUs (${declared})`, ["GPU", "Name", "Temperature", "Utilisation", "Memory", "Power"], gpus, "no GPU telemetry")}
${table(
  "Actors",
  ["Actor", "PID", "Address"],
  status.actors.map((a) => [a.actorId, a.pid, a.address]),
  "no actors",
)}
${table(
  "Calls served",
  ["Class", "Method", "Outcome", "Calls", "Mean"],
  calls
    .slice(0, MAX_CALL_ROWS)
    .map((c) => [c.className, c.method, c.outcome, c.count, `${c.meanMs.toFixed(1)} ms`]),
  "no calls yet",
)}
<p><a href="/metrics">Prometheus metrics</a></p>
</main></body></html>
`;
}
