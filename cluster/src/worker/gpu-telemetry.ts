/**
 * GPU telemetry as nvidia-smi reports it: the query, and a parser that never throws.
 *
 * The query's fields, in order: index, uuid, name, then eight numbers (temperature, utilisation,
 * memory used and total, power draw and limit, SM and memory clocks). A name may itself contain
 * commas, so index and uuid are read from the front and the numbers from the back. A number the
 * GPU does not report ("[N/A]", "N/A", "[Not Supported]", blank) is left out of the sample;
 * blank lines and lines without a numeric index (warnings, a GPU that fell off the bus midway
 * through a line) are skipped, so a GPU that vanishes between polls is simply absent.
 */
import type { GpuSample } from "@neurogrid/schema";

const TELEMETRY_FIELDS = [
  "index",
  "uuid",
  "name",
  "temperature.gpu",
  "utilization.gpu",
  "memory.used",
  "memory.total",
  "power.draw",
  "power.limit",
  "clocks.sm",
  "clocks.mem",
] as const;

export const TELEMETRY_ARGS = [
  `--query-gpu=${TELEMETRY_FIELDS.join(",")}`,
  "--format=csv,noheader,nounits",
] as const;

type Metric = Exclude<keyof GpuSample, "index" | "uuid" | "name">;

/** The numeric fields, in query order after index, uuid and name. */
const METRICS: readonly Metric[] = [
  "temperatureC",
  "utilizationPct",
  "memoryUsedMb",
  "memoryTotalMb",
  "powerDrawW",
  "powerLimitW",
  "smClockMhz",
  "memClockMhz",
];

const NUMBER = /^-?\d+(\.\d+)?$/;
const NOT_AVAILABLE = /^\[?(N\/A|Not Supported|Unknown Error)\]?$/i;

/** The GPUs of one `nvidia-smi --query-gpu=... --format=csv,noheader,nounits` output, by index. */
export function parseTelemetryCsv(text: string): GpuSample[] {
  const byIndex = new Map<number, GpuSample>();
  for (const line of text.split(/\r?\n/)) {
    const fields = line.split(",").map((field) => field.trim());
    if (fields.length < TELEMETRY_FIELDS.length) continue;
    const [indexField = "", uuid = ""] = fields;
    if (!/^\d+$/.test(indexField)) continue;
    const numbers = fields.slice(fields.length - METRICS.length);
    const sample: GpuSample = {
      index: Number(indexField),
      uuid: uuid === "" || NOT_AVAILABLE.test(uuid) ? "" : uuid,
      name: fields.slice(2, fields.length - METRICS.length).join(", "),
    };
    METRICS.forEach((metric, i) => {
      const value = numbers[i] ?? "";
      if (NUMBER.test(value)) sample[metric] = Number(value);
    });
    byIndex.set(sample.index, sample);
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

/** The status of a source that could not sample. */
export function unavailable(reason: string): string {
  return `unavailable: ${reason}`;
}

/** Why a command failed, in words (a missing command is said so). */
export function commandFailure(command: string, err: unknown): string {
  const error = err as NodeJS.ErrnoException & { killed?: boolean; stderr?: string };
  if (error?.code === "ENOENT") return `${command} not found`;
  if (error?.killed) return `${command} timed out`;
  const stderr = typeof error?.stderr === "string" ? error.stderr.trim().split("\n")[0] : "";
  const message = stderr || (error instanceof Error ? error.message.split("\n")[0] : String(err));
  return `${command} failed: ${message}`;
}
