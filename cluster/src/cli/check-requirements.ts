/**
 * `neurogrid worker --check-requirements`: can this machine serve as a worker? Each check says
 * ok or why not; the command exits non-zero when any fails.
 *
 *   gpu            nvidia-smi lists GPUs (names, memory, driver version); a stand-in (--fake-gpus,
 *                  --telemetry-replay) passes and says so
 *   gpu-provider   a GPU execution provider of onnxruntime runs a graph: CUDA, or else WebGPU
 *                  (Dawn over Vulkan, bundled with onnxruntime-node); the detail names both, and
 *                  when one fails, the pieces it lacks (gpu-stack.ts: driver, CUDA provider
 *                  binaries, CUDA libraries, Vulkan loader)
 *
 * `--execution-provider cuda|webgpu|cpu` asks for one provider: cuda or webgpu must then run
 * (the other is not tried); cpu needs neither a GPU nor a GPU provider.
 *   memory         at least MIN_MEMORY_MB in all, and no more claimed (--memory-mb) than there is
 *   disk           at least MIN_DISK_MB free where model files are cached (--model-cache-dir)
 *   port           the worker's port is free (--port; 0 = any free port, nothing to check)
 *   head           the head accepts connections (only with --head)
 */
import { execFile } from "node:child_process";
import { statfs } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { freemem, totalmem } from "node:os";
import { dirname, resolve } from "node:path";
import type { WorkerCheckConfig } from "../config-worker.js";
import type { GpuExecutionProvider, ProviderProbe } from "../runtime/execution-provider.js";
import { commandFailure } from "../worker/gpu-telemetry.js";
import type { RunCommand } from "../worker/gpus.js";
import { type GpuStackDeps, missingGpuPieces } from "./gpu-stack.js";

/** The provider a worker is checked for; "any" takes whichever GPU provider runs. */
export type RequestedProvider = "any" | "cuda" | "webgpu" | "cpu";
export const REQUESTED_PROVIDERS: readonly RequestedProvider[] = ["any", "cuda", "webgpu", "cpu"];

export interface RequirementCheck {
  name: "gpu" | "gpu-provider" | "memory" | "disk" | "port" | "head";
  ok: boolean;
  detail: string;
}

export interface RequirementsReport {
  ok: boolean;
  checks: RequirementCheck[];
}

/** What the checks look at; real ones by default (tests pass stand-ins). */
export interface RequirementsDeps {
  run?: RunCommand;
  probe?: ProviderProbe;
  memory?: () => { totalMb: number; freeMb: number };
  /** Free bytes of the file system that holds `path` (an existing directory). */
  freeDiskBytes?: (path: string) => Promise<number>;
  /** Where the GPU providers' pieces are looked for (gpu-stack.ts). */
  stack?: GpuStackDeps;
  timeoutMs?: number;
}

const MIN_MEMORY_MB = 2_048;
const MIN_DISK_MB = 5_120;
const MIB = 1024 * 1024;
const NVIDIA_SMI_DRIVER_ARGS = [
  "--query-gpu=index,name,driver_version,memory.total",
  "--format=csv,noheader,nounits",
] as const;

const runCommand: RunCommand = (file, args) =>
  new Promise((done, fail) => {
    execFile(file, [...args], { timeout: 10_000, encoding: "utf8" }, (err, stdout, stderr) => {
      if (err) fail(Object.assign(err, { stderr }));
      else done(stdout);
    });
  });

async function probeDefault(): Promise<ProviderProbe> {
  const { createOnnxruntimeProbe } = await import("../runtime/execution-provider-probe.js");
  return createOnnxruntimeProbe();
}

async function freeDiskDefault(path: string): Promise<number> {
  const stats = await statfs(path);
  return stats.bavail * stats.bsize;
}

export async function checkRequirements(
  config: WorkerCheckConfig,
  deps: RequirementsDeps = {},
  requested: RequestedProvider = "any",
): Promise<RequirementsReport> {
  const timeoutMs = deps.timeoutMs ?? 5_000;
  const notNeeded = (name: "gpu" | "gpu-provider"): RequirementCheck => ({
    name,
    ok: true,
    detail: "not needed (--execution-provider cpu)",
  });
  const checks = await Promise.all([
    requested === "cpu" ? notNeeded("gpu") : checkGpu(config, deps.run ?? runCommand),
    requested === "cpu"
      ? notNeeded("gpu-provider")
      : checkGpuProvider(deps.probe ?? (await probeDefault()), requested, deps.stack ?? {}),
    checkMemory(config, deps.memory ?? (() => ({ totalMb: totalmem() / MIB, freeMb: freemem() / MIB }))),
    checkDisk(config.modelCacheDir, deps.freeDiskBytes ?? freeDiskDefault),
    checkPort(config.host, config.port),
    checkHead(config.headAddress, timeoutMs),
  ]);
  return { ok: checks.every((c) => c.ok), checks };
}

export function formatRequirements(report: RequirementsReport): string {
  const lines = report.checks.map((c) => `  ${c.ok ? "ok  " : "FAIL"}  ${c.name.padEnd(13)}  ${c.detail}`);
  const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
  const verdict = failed.length === 0 ? "all requirements met" : `requirements not met: ${failed.join(", ")}`;
  return `neurogrid worker requirements:\n${lines.join("\n")}\n${verdict}\n`;
}

async function checkGpu(config: WorkerCheckConfig, run: RunCommand): Promise<RequirementCheck> {
  if (config.fakeGpus !== undefined) {
    return {
      name: "gpu",
      ok: true,
      detail: `stand-in: ${config.fakeGpus.length} declared GPUs (--fake-gpus)`,
    };
  }
  if (config.telemetryReplay !== undefined) {
    return { name: "gpu", ok: true, detail: `stand-in: GPUs replayed from ${config.telemetryReplay}` };
  }
  let out: string;
  try {
    out = await run("nvidia-smi", NVIDIA_SMI_DRIVER_ARGS);
  } catch (err) {
    return { name: "gpu", ok: false, detail: `no GPU found: ${commandFailure("nvidia-smi", err)}` };
  }
  const gpus = out
    .split(/\r?\n/)
    .map((line) => line.split(",").map((f) => f.trim()))
    .filter((f) => f.length >= 4 && /^\d+$/.test(f[0] ?? ""))
    .map((f) => ({
      name: f.slice(1, -2).join(", "),
      driver: f[f.length - 2] ?? "",
      memory: f[f.length - 1] ?? "",
    }));
  if (gpus.length === 0) return { name: "gpu", ok: false, detail: "no GPU found: nvidia-smi lists none" };
  const drivers = [...new Set(gpus.map((g) => g.driver))].join(", ");
  const list = gpus.map((g) => `${g.name} (${g.memory} MiB)`).join("; ");
  return { name: "gpu", ok: true, detail: `${gpus.length} GPU(s): ${list}; driver ${drivers}` };
}

async function checkGpuProvider(
  probe: ProviderProbe,
  requested: Exclude<RequestedProvider, "cpu">,
  stack: GpuStackDeps,
): Promise<RequirementCheck> {
  const wanted: GpuExecutionProvider[] = requested === "any" ? ["cuda", "webgpu"] : [requested];
  try {
    const results = await Promise.all(
      wanted.map(async (provider) => {
        const r = provider === "cuda" ? await probe.probeCuda() : await probe.probeWebgpu();
        if (r.ok) return { ok: true, text: `${LABEL[provider]} runs` };
        const missing = await missingGpuPieces(provider, stack);
        const lacks = missing.length > 0 ? `; missing: ${missing.join("; ")}` : "";
        return { ok: false, text: `${LABEL[provider]}: ${r.reason}${lacks}` };
      }),
    );
    const detail = results.map((r) => r.text).join(" | ");
    return { name: "gpu-provider", ok: results.some((r) => r.ok), detail };
  } catch (err) {
    return {
      name: "gpu-provider",
      ok: false,
      detail: `probing onnxruntime failed: ${(err as Error).message}`,
    };
  }
}

const LABEL: Record<GpuExecutionProvider, string> = { cuda: "CUDA", webgpu: "WebGPU" };

function checkMemory(
  config: WorkerCheckConfig,
  memory: () => { totalMb: number; freeMb: number },
): RequirementCheck {
  const { totalMb, freeMb } = memory();
  const detail = `${Math.floor(totalMb)} MiB in all, ${Math.floor(freeMb)} MiB free`;
  if (totalMb < MIN_MEMORY_MB) {
    return { name: "memory", ok: false, detail: `${detail}: at least ${MIN_MEMORY_MB} MiB needed` };
  }
  if (config.memoryMb !== undefined && config.memoryMb > totalMb) {
    return { name: "memory", ok: false, detail: `${detail}: --memory-mb ${config.memoryMb} claims more` };
  }
  return { name: "memory", ok: true, detail };
}

async function checkDisk(
  dir: string,
  freeBytes: (path: string) => Promise<number>,
): Promise<RequirementCheck> {
  // The cache directory may not exist yet: measure the nearest directory above it that does.
  let path = resolve(dir);
  for (;;) {
    try {
      const freeMb = Math.floor((await freeBytes(path)) / MIB);
      const detail = `${freeMb} MiB free for the model cache ${dir}`;
      return freeMb >= MIN_DISK_MB
        ? { name: "disk", ok: true, detail }
        : { name: "disk", ok: false, detail: `${detail}: at least ${MIN_DISK_MB} MiB needed` };
    } catch (err) {
      const parent = dirname(path);
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || parent === path) {
        return { name: "disk", ok: false, detail: `cannot measure ${dir}: ${(err as Error).message}` };
      }
      path = parent;
    }
  }
}

function checkPort(host: string, port: number): Promise<RequirementCheck> {
  if (port === 0) return Promise.resolve({ name: "port", ok: true, detail: "any free port (--port 0)" });
  return new Promise((done) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) =>
      done({ name: "port", ok: false, detail: `${host}:${port} cannot be used: ${err.code ?? err.message}` }),
    );
    server.listen(port, host, () => {
      server.close(() => done({ name: "port", ok: true, detail: `${host}:${port} is free` }));
    });
  });
}

function checkHead(headAddress: string | undefined, timeoutMs: number): Promise<RequirementCheck> {
  if (headAddress === undefined) {
    return Promise.resolve({ name: "head", ok: true, detail: "not checked (no --head)" });
  }
  const cut = headAddress.lastIndexOf(":");
  const host = headAddress.slice(0, cut).replace(/^\[(.*)\]$/, "$1");
  const port = Number(headAddress.slice(cut + 1));
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (check: RequirementCheck) => {
      clearTimeout(timer);
      socket.destroy();
      done(check);
    };
    const timer = setTimeout(
      () => finish({ name: "head", ok: false, detail: `${headAddress}: no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once("connect", () =>
      finish({ name: "head", ok: true, detail: `${headAddress} accepts connections` }),
    );
    socket.once("error", (err: NodeJS.ErrnoException) =>
      finish({ name: "head", ok: false, detail: `${headAddress} unreachable: ${err.code ?? err.message}` }),
    );
  });
}
