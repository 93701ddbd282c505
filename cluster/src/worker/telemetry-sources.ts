/**
 * Where GPU telemetry comes from: nvidia-smi, or a stand-in that replays recorded nvidia-smi
 * output (tests and demos on machines without GPUs). Neither throws: a sample that cannot be
 * taken has status `unavailable: <reason>` and no GPUs.
 *
 * Replay file: the outputs of successive `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`
 * runs (fields: gpu-telemetry.ts), one snapshot after another; a line starting with `#` starts
 * the next snapshot (the rest of the line is a comment). Each sample takes the next snapshot;
 * after the last, it keeps returning the last one. A snapshot whose comment line reads
 * `# unavailable: <reason>` stands for a failed poll.
 */
import { execFile } from "node:child_process";
import type { NodeTelemetry } from "@neurogrid/schema";
import { commandFailure, parseTelemetryCsv, TELEMETRY_ARGS, unavailable } from "./gpu-telemetry.js";
import type { RunCommand } from "./gpus.js";

export interface TelemetrySource {
  /** What the source stands for, for status lines (e.g. "nvidia-smi", "replay of FILE"). */
  readonly description: string;
  sample(): Promise<NodeTelemetry>;
}

const NVIDIA_SMI_TIMEOUT_MS = 5_000;

const runNvidiaSmi: RunCommand = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: NVIDIA_SMI_TIMEOUT_MS, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr }));
      else resolve(stdout);
    });
  });

export function nvidiaSmiSource(
  run: RunCommand = runNvidiaSmi,
  now: () => number = Date.now,
): TelemetrySource {
  return {
    description: "nvidia-smi",
    async sample() {
      try {
        const gpus = parseTelemetryCsv(await run("nvidia-smi", TELEMETRY_ARGS));
        const status = gpus.length > 0 ? "ok" : unavailable("nvidia-smi lists no GPUs");
        return { sampledAtMs: now(), status, gpus };
      } catch (err) {
        return { sampledAtMs: now(), status: unavailable(commandFailure("nvidia-smi", err)), gpus: [] };
      }
    },
  };
}

export interface Snapshot {
  text: string;
  /** Set for a `# unavailable: ...` snapshot. */
  failure?: string;
}

/** Splits a replay file into its snapshots (empty ones dropped). */
export function parseReplay(text: string): Snapshot[] {
  const snapshots: Snapshot[] = [];
  let current: Snapshot = { text: "" };
  const flush = () => {
    if (current.failure !== undefined || current.text.trim() !== "") snapshots.push(current);
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("#")) {
      flush();
      const failure = /^#\s*unavailable:\s*(.*)$/i.exec(line)?.[1];
      current = failure === undefined ? { text: "" } : { text: "", failure };
    } else {
      current.text += `${line}\n`;
    }
  }
  flush();
  return snapshots;
}

export function replaySource(
  text: string,
  name = "recording",
  now: () => number = Date.now,
): TelemetrySource {
  const snapshots = parseReplay(text);
  let next = 0;
  return {
    description: `replay of ${name}`,
    async sample() {
      const snapshot = snapshots[Math.min(next, snapshots.length - 1)];
      next += 1;
      if (snapshot === undefined) {
        return { sampledAtMs: now(), status: unavailable(`${name} holds no snapshots`), gpus: [] };
      }
      if (snapshot.failure !== undefined) {
        return { sampledAtMs: now(), status: unavailable(snapshot.failure), gpus: [] };
      }
      const gpus = parseTelemetryCsv(snapshot.text);
      const status = gpus.length > 0 ? "ok" : unavailable("no GPUs in this snapshot");
      return { sampledAtMs: now(), status, gpus };
    },
  };
}
