/** GPU and host telemetry between its TypeScript shape (@neurogrid/schema) and the wire (head.proto). */
import type { GpuSample, HostSample, NodeTelemetry } from "@neurogrid/schema";
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

const HOST_OPTIONAL = ["cpuUtilizationPct", "loadAverage", "netRxBytesPerS", "netTxBytesPerS"] as const;

function hostSample(host: HostSample | wire.HostSample): HostSample {
  const out: HostSample = {
    cpuCores: host.cpuCores,
    memoryUsedMb: host.memoryUsedMb,
    memoryTotalMb: host.memoryTotalMb,
  };
  for (const figure of HOST_OPTIONAL) {
    const value = host[figure];
    if (typeof value === "number" && Number.isFinite(value)) out[figure] = value;
  }
  return out;
}

export function telemetryToWire(telemetry: NodeTelemetry | undefined): wire.NodeTelemetry | null {
  if (telemetry === undefined) return null;
  return {
    sampledAtMs: telemetry.sampledAtMs,
    status: telemetry.status,
    gpus: telemetry.gpus.map(sample),
    host: telemetry.host === undefined ? null : hostSample(telemetry.host),
  };
}

export function telemetryFromWire(
  telemetry: wire.NodeTelemetry | null | undefined,
): NodeTelemetry | undefined {
  if (telemetry === null || telemetry === undefined) return undefined;
  return {
    sampledAtMs: Number(telemetry.sampledAtMs),
    status: telemetry.status,
    gpus: (telemetry.gpus ?? []).map(sample),
    ...(telemetry.host ? { host: hostSample(telemetry.host) } : {}),
  };
}

/** GPU index -> reason, as map<uint32, string> (keys are strings on the wire). */
export function unschedulableToWire(map: ReadonlyMap<number, string>): Record<string, string> {
  return Object.fromEntries([...map].map(([index, reason]) => [String(index), reason]));
}

export function unschedulableFromWire(map: Record<string, string> | undefined): Record<number, string> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([index, reason]) => [Number(index), reason]));
}
