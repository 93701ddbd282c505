/** GPU telemetry between its TypeScript shape (@neurogrid/schema) and the wire (head.proto). */
import type { GpuSample, NodeTelemetry } from "@neurogrid/schema";
import type * as wire from "./wire.js";

const METRICS = [
  "temperatureC",
  "utilizationPct",
  "memoryUsedMb",
  "memoryTotalMb",
  "powerDrawW",
  "powerLimitW",
  "smClockMhz",
  "memClockMhz",
] as const;

function sample(gpu: GpuSample | wire.GpuSample): GpuSample {
  const out: GpuSample = { index: gpu.index, uuid: gpu.uuid, name: gpu.name };
  for (const metric of METRICS) {
    const value = gpu[metric];
    if (typeof value === "number" && Number.isFinite(value)) out[metric] = value;
  }
  return out;
}

export function telemetryToWire(telemetry: NodeTelemetry | undefined): wire.NodeTelemetry | null {
  if (telemetry === undefined) return null;
  return { sampledAtMs: telemetry.sampledAtMs, status: telemetry.status, gpus: telemetry.gpus.map(sample) };
}

export function telemetryFromWire(
  telemetry: wire.NodeTelemetry | null | undefined,
): NodeTelemetry | undefined {
  if (telemetry === null || telemetry === undefined) return undefined;
  return {
    sampledAtMs: Number(telemetry.sampledAtMs),
    status: telemetry.status,
    gpus: (telemetry.gpus ?? []).map(sample),
  };
}

/** GPU index -> reason, as map<uint32, string> (keys are strings on the wire). */
export function unschedulableToWire(map: ReadonlyMap<number, string>): Record<string, string> {
  return Object.fromEntries([...map].map(([index, reason]) => [String(index), reason]));
}

export function unschedulableFromWire(map: Record<string, string> | undefined): Record<number, string> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([index, reason]) => [Number(index), reason]));
}
