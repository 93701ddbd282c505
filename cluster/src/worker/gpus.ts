/**
 * GPU discovery: nvidia-smi when the node has it, or a stand-in declared by config (so tests,
 * and machines without GPUs, can describe GPUs). No nvidia-smi, or one that fails, means no GPUs:
 * the node still serves CPU actors.
 */
import { execFile } from "node:child_process";
import type { GpuInfo } from "@neurogrid/schema";
import type { FakeGpu } from "../config-worker.js";

export const NVIDIA_SMI_ARGS = [
  "--query-gpu=index,uuid,name,memory.total",
  "--format=csv,noheader,nounits",
] as const;

const NVIDIA_SMI_TIMEOUT_MS = 10_000;

/**
 * Parses `nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits`.
 * Blank lines and lines without a numeric index are skipped; a name may itself contain commas
 * (index and uuid are the first fields, memory the last); memory that is not a number ("N/A",
 * "[N/A]", "[Not Supported]") counts as 0.
 */
export function parseNvidiaSmiCsv(text: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = line.split(",").map((field) => field.trim());
    if (fields.length < 4) continue;
    const [indexField = "", uuid = ""] = fields;
    if (!/^\d+$/.test(indexField)) continue;
    const memoryField = fields[fields.length - 1] ?? "";
    const memoryMb = /^\d+(\.\d+)?$/.test(memoryField) ? Math.floor(Number(memoryField)) : 0;
    gpus.push({
      index: Number(indexField),
      uuid: isAvailable(uuid) ? uuid : "",
      name: fields.slice(2, -1).join(", "),
      memoryMb,
    });
  }
  return gpus.sort((a, b) => a.index - b.index);
}

function isAvailable(field: string): boolean {
  return field !== "" && !/^\[?(N\/A|Not Supported)\]?$/i.test(field);
}

/** Runs a command and resolves with its stdout; rejects when it is missing or fails. */
export type RunCommand = (file: string, args: readonly string[]) => Promise<string>;

const runCommand: RunCommand = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: NVIDIA_SMI_TIMEOUT_MS, encoding: "utf8" }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
  });

export async function detectNvidiaGpus(run: RunCommand = runCommand): Promise<GpuInfo[]> {
  try {
    return parseNvidiaSmiCsv(await run("nvidia-smi", NVIDIA_SMI_ARGS));
  } catch {
    return [];
  }
}

/** The stand-in: declared GPUs get indices 0..n-1 and uuids derived from the node id. */
export function fakeGpus(declared: readonly FakeGpu[], nodeId: string): GpuInfo[] {
  return declared.map((gpu, index) => ({
    index,
    uuid: `fake-${nodeId}-${index}`,
    name: gpu.name,
    memoryMb: gpu.memoryMb,
  }));
}
