import type { GpuNow } from "./provider-operations.js";

/** "71 °C · 40 % util · 3.1 / 8.0 GB · 210 / 250 W" */
export function gpuReadout(g: GpuNow): string {
  const parts: string[] = [];
  if (g.temperatureC !== null) parts.push(`${Math.round(g.temperatureC)} °C`);
  if (g.utilizationPct !== null) parts.push(`${Math.round(g.utilizationPct)} % util`);
  if (g.memoryUsedMb !== null && g.memoryTotalMb !== null) {
    parts.push(`${(g.memoryUsedMb / 1024).toFixed(1)} / ${(g.memoryTotalMb / 1024).toFixed(1)} GB`);
  }
  if (g.powerDrawW !== null) {
    parts.push(
      g.powerLimitW === null
        ? `${Math.round(g.powerDrawW)} W`
        : `${Math.round(g.powerDrawW)} / ${Math.round(g.powerLimitW)} W`,
    );
  }
  return parts.join(" · ") || "no readings";
}

/** A sample as the chart's series: temperature, utilisation, memory % and power % of the limit. */
export function chartValues(g: {
  temperatureC: number | null;
  utilizationPct: number | null;
  memoryUsedMb: number | null;
  memoryTotalMb: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
}): (number | null)[] {
  const pct = (a: number | null, b: number | null) => (a === null || !b ? null : (100 * a) / b);
  return [
    g.temperatureC,
    g.utilizationPct,
    pct(g.memoryUsedMb, g.memoryTotalMb),
    pct(g.powerDrawW, g.powerLimitW),
  ];
}
