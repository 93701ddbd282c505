import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useClient } from "urql";
import { chartValues, gpuReadout } from "./gpu-readout.js";
import { GPU_METRICS, type GpuMetricsData } from "./provider-operations.js";
import type { TelemetryHub } from "./telemetry-hub.js";

/** The chart's windows: the last hour from 1 s history, the last day from minute averages. */
export const RANGES = {
  hour: { seconds: 3600, step: 5 },
  day: { seconds: 86_400, step: 60 },
} as const;
export type RangeName = keyof typeof RANGES;

const SERIES = [
  { label: "Temperature °C", stroke: "#c0392b" },
  { label: "Utilisation %", stroke: "#2948c7" },
  { label: "Memory %", stroke: "#1a6b36" },
  { label: "Power % of limit", stroke: "#b7791f" },
];
const CHART_HEIGHT_PX = 180;

/**
 * One GPU's temperature, utilisation, memory and power: its history (gpuMetrics), then every
 * telemetry sample appended as it comes (uPlot.setData, no React render per sample).
 */
export function GpuChart(props: {
  hub: TelemetryHub;
  nodeId: string;
  gpu: number;
  name: string;
  range: RangeName;
}) {
  const { hub, nodeId, gpu, name, range } = props;
  const client = useClient();
  const box = useRef<HTMLDivElement>(null);
  const readout = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const { seconds, step } = RANGES[range];
    const times: number[] = [];
    const series: (number | null)[][] = SERIES.map(() => []);
    const aligned = () => [times, ...series] as uPlot.AlignedData;
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: CHART_HEIGHT_PX,
        series: [{}, ...SERIES.map((s) => ({ ...s, width: 1.5, spanGaps: true }))],
        axes: [{}, { label: "°C / %", size: 50 }],
        scales: { y: { range: [0, 100] } },
      },
      aligned(),
      el,
    );
    let stopped = false;
    const append = (at: number, values: (number | null)[]) => {
      const last = times.at(-1);
      if (last !== undefined && at <= last) return;
      times.push(at);
      for (const [i, v] of values.entries()) series[i]?.push(v);
      const cutoff = at - seconds;
      while ((times[0] ?? cutoff) < cutoff) {
        times.shift();
        for (const column of series) column.shift();
      }
      plot.setData(aligned());
      el.dataset.points = String(times.length);
      el.dataset.lastTemperature = String(values[0] ?? "");
    };
    const from = new Date(Date.now() - seconds * 1000).toISOString();
    void client
      .query<GpuMetricsData>(GPU_METRICS, { nodeId, gpu, from, step }, { requestPolicy: "network-only" })
      .toPromise()
      .then((res) => {
        if (stopped) return;
        for (const p of res.data?.gpuMetrics ?? []) append(Date.parse(p.at) / 1000, chartValues(p));
      });
    const unlisten = hub.listen((event) => {
      if (event.nodeId !== nodeId) return;
      const g = event.gpus.find((x) => x.index === gpu);
      if (!g) return;
      append(Date.parse(event.at) / 1000, chartValues(g));
      if (readout.current) readout.current.textContent = gpuReadout(g);
    });
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(200, el.clientWidth), height: CHART_HEIGHT_PX }),
    );
    resize.observe(el);
    return () => {
      stopped = true;
      unlisten();
      resize.disconnect();
      plot.destroy();
    };
  }, [client, hub, nodeId, gpu, range]);

  const now = hub.latest.get(nodeId)?.gpus.find((x) => x.index === gpu);
  return (
    <figure className="chart">
      <figcaption>
        GPU {gpu} · {name}
      </figcaption>
      <p className="muted" ref={readout} data-testid={`gpu-readout-${nodeId}-${gpu}`}>
        {now ? gpuReadout(now) : "waiting for telemetry…"}
      </p>
      <div ref={box} className="chart-plot" data-testid={`gpu-chart-${nodeId}-${gpu}`} />
    </figure>
  );
}
