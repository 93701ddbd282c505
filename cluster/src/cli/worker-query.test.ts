/**
 * `neurogrid worker --check-requirements` and `--status`: the checks with stand-ins (machines
 * with and without each GPU piece), the real entry (asked for the CPU provider, which needs no
 * GPU, so it answers the same on any machine), and a running worker's status.
 * The head and the worker run in this process; each entry process is awaited to its exit, or
 * killed by its PID.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { mintCredential } from "../auth/credential-token.js";
import { localSecretOfHead } from "../auth/local-secret.js";
import { checkRequirements, formatRequirements, type RequirementsDeps } from "./check-requirements.js";
import type { GpuStackDeps } from "./gpu-stack.js";
import {
  type HeadHandle,
  parseHeadConfig,
  parseWorkerCheckConfig,
  parseWorkerConfig,
  runHead,
  runWorker,
  runWorkerQuery,
  type WorkerHandle,
  workerStatus,
} from "./index.js";
import { killQuietly } from "./testing/processes.js";

const WORKER_MAIN = fileURLToPath(new URL("./worker-main.js", import.meta.url));
const RECORDING = fileURLToPath(new URL("../../telemetry/two-gpus-heat-cycle.csv", import.meta.url));

const good: RequirementsDeps = {
  run: async () =>
    "0, NVIDIA GeForce RTX 4090, 550.54.14, 24564\n1, NVIDIA GeForce RTX 4090, 550.54.14, 24564\n",
  probe: {
    probeCuda: async () => ({ ok: true }),
    probeWebgpu: async () => ({ ok: false, reason: "Failed to get a WebGPU adapter" }),
  },
  memory: () => ({ totalMb: 65_536, freeMb: 60_000 }),
  freeDiskBytes: async () => 100 * 1024 ** 3,
  stack: everythingInstalled(),
};

/** A machine's GPU stack: every piece present except those named. */
function everythingInstalled(...without: string[]): GpuStackDeps {
  const libraries = ["libcuda.so.1", "libcudart.so.12", "libcublas.so.12", "libcudnn.so.9", "libvulkan.so.1"];
  return {
    libraries: async () => new Set(libraries.filter((l) => !without.includes(l))),
    bindingDir: () => "/opt/ort/bin",
    fileExists: (path) => !without.some((w) => path.endsWith(`/${w}`)),
  };
}

const noGpu: RequirementsDeps = {
  ...good,
  run: async () => {
    throw Object.assign(new Error("spawn nvidia-smi ENOENT"), { code: "ENOENT" });
  },
  probe: {
    probeCuda: async () => ({
      ok: false,
      reason:
        "creating a CUDA session failed: Failed to load shared library libonnxruntime_providers_cuda.so",
    }),
    probeWebgpu: async () => ({ ok: false, reason: "Failed to get a WebGPU adapter" }),
  },
  stack: {
    libraries: async () => new Set(["libc.so.6"]),
    bindingDir: () => "/opt/ort/bin",
    fileExists: () => false,
  },
};

function entry(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [WORKER_MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const pid = child.pid ?? 0;
  const timer = setTimeout(() => killQuietly(pid, "SIGKILL"), 90_000);
  return new Promise((done) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    }),
  );
}

describe("checkRequirements", () => {
  it("passes on a machine that has it all, naming GPUs and driver", async () => {
    const report = await checkRequirements(parseWorkerCheckConfig([], {}), good);
    assert.equal(report.ok, true, formatRequirements(report));
    const gpu = report.checks.find((c) => c.name === "gpu");
    assert.match(gpu?.detail ?? "", /2 GPU\(s\): NVIDIA GeForce RTX 4090 \(24564 MiB\).*driver 550\.54\.14/);
    assert.match(formatRequirements(report), /all requirements met\n$/);
  });

  it("fails with its reasons: no nvidia-smi, no CUDA provider, little memory and disk, port taken, head away", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const takenPort = (taken.address() as { port: number }).port;
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    try {
      const config = parseWorkerCheckConfig(
        [
          "--port",
          String(takenPort),
          "--head",
          `127.0.0.1:${closedPort}`,
          "--model-cache-dir",
          "/nonexistent/cache",
        ],
        {},
      );
      const report = await checkRequirements(config, {
        run: async () => {
          throw Object.assign(new Error("spawn nvidia-smi ENOENT"), { code: "ENOENT" });
        },
        probe: {
          probeCuda: async () => ({ ok: false, reason: "this onnxruntime-node build has no CUDA backend" }),
          probeWebgpu: async () => ({ ok: false, reason: "Failed to get a WebGPU adapter" }),
        },
        stack: everythingInstalled("libvulkan.so.1", "libcudart.so.12"),
        memory: () => ({ totalMb: 1_024, freeMb: 512 }),
        freeDiskBytes: async (path) => {
          if (path.startsWith("/nonexistent")) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
          return 1024 ** 3;
        },
      });
      assert.equal(report.ok, false);
      const failed = Object.fromEntries(report.checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
      assert.deepEqual(Object.keys(failed).sort(), ["disk", "gpu", "gpu-provider", "head", "memory", "port"]);
      assert.match(failed.gpu ?? "", /no GPU found: nvidia-smi not found/);
      assert.equal(
        failed["gpu-provider"],
        "CUDA: this onnxruntime-node build has no CUDA backend; missing: libcudart.so.12 (the CUDA 12 runtime)" +
          " | WebGPU: Failed to get a WebGPU adapter; missing: the Vulkan loader (libvulkan.so.1; Debian: libvulkan1)",
      );
      assert.match(failed.memory ?? "", /1024 MiB in all/);
      assert.match(failed.disk ?? "", /1024 MiB free .* at least 5120 MiB needed/);
      assert.match(failed.port ?? "", /EADDRINUSE/);
      assert.match(failed.head ?? "", /unreachable: ECONNREFUSED/);
      assert.match(
        formatRequirements(report),
        /requirements not met: gpu, gpu-provider, memory, disk, port, head/,
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it("CUDA asked for on a machine without it: fails naming every missing piece, and not WebGPU's", async () => {
    const report = await checkRequirements(parseWorkerCheckConfig([], {}), noGpu, "cuda");
    assert.equal(report.ok, false);
    const provider = report.checks.find((c) => c.name === "gpu-provider")?.detail ?? "";
    assert.match(provider, /^CUDA: creating a CUDA session failed/);
    for (const piece of [
      "no NVIDIA driver (libcuda.so.1)",
      "the CUDA provider binaries (libonnxruntime_providers_cuda.so, libonnxruntime_providers_shared.so in /opt/ort/bin; install: ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node)",
      "libcudart.so.12 (the CUDA 12 runtime)",
      "libcudnn.so.9 (cuDNN 9 for CUDA 12)",
    ])
      assert.ok(provider.includes(piece), `names ${piece}: ${provider}`);
    assert.doesNotMatch(provider, /WebGPU|Vulkan/);
    assert.match(formatRequirements(report), /requirements not met: gpu, gpu-provider\n$/);
  });

  it("names only what is missing: the CUDA provider binaries on a machine with the driver and CUDA 12", async () => {
    const report = await checkRequirements(
      parseWorkerCheckConfig([], {}),
      {
        ...good,
        probe: { ...noGpu.probe, probeWebgpu: async () => ({ ok: true }) } as RequirementsDeps["probe"],
        stack: everythingInstalled("libonnxruntime_providers_cuda.so"),
      },
      "cuda",
    );
    const provider = report.checks.find((c) => c.name === "gpu-provider");
    assert.equal(provider?.ok, false, "WebGPU running does not satisfy a request for CUDA");
    assert.equal(
      provider?.detail,
      "CUDA: creating a CUDA session failed: Failed to load shared library libonnxruntime_providers_cuda.so; " +
        "missing: the CUDA provider binaries (libonnxruntime_providers_cuda.so in /opt/ort/bin; " +
        "install: ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node)",
    );
  });

  it("the CPU provider needs no GPU: passes where no GPU piece exists", async () => {
    const report = await checkRequirements(parseWorkerCheckConfig([], {}), noGpu, "cpu");
    assert.equal(report.ok, true, formatRequirements(report));
    assert.match(formatRequirements(report), /ok\s+gpu\s+not needed \(--execution-provider cpu\)/);
  });

  it("the entry, asked for the CPU provider, checks this machine and exits 1 exactly when a check fails", {
    timeout: 120_000,
  }, async () => {
    const { code, stdout } = await entry(["--check-requirements", "--execution-provider", "cpu"]);
    assert.match(stdout, /ok\s+gpu\s+not needed/);
    assert.match(stdout, /ok\s+gpu-provider\s+not needed/);
    assert.match(stdout, /ok\s+head\s+not checked/);
    assert.equal(code, /FAIL/.test(stdout) ? 1 : 0, stdout);
    const bad = await entry(["--check-requirements", "--execution-provider", "tpu"]);
    assert.equal(bad.code, 2, "a usage error");
    assert.match(bad.stderr, /--execution-provider must be one of any, cuda, webgpu, cpu/);
  });
});

describe("worker status", { timeout: 120_000 }, () => {
  let head: HeadHandle;
  let worker: WorkerHandle;
  const quiet = () => {};

  before(async () => {
    head = await runHead(parseHeadConfig(["--port", "0", "--heartbeat-interval-ms", "250"], {}), {
      log: quiet,
    });
    const args = ["--head", head.address, "--node-id", "s1", "--actor-pool-size", "0", "--metrics-port", "0"];
    const replay = ["--telemetry-replay", RECORDING, "--telemetry-interval-ms", "250"];
    worker = await runWorker(parseWorkerConfig([...args, ...replay], {}), { log: quiet, env: process.env });
  });

  after(async () => {
    await worker?.stop();
    await head?.stop();
  });

  it("a running worker tells its node id, head link, actors and GPUs with telemetry", async () => {
    // The worker takes an observer's call: its head's secret is on this machine (auth/local-secret.ts).
    const secret = localSecretOfHead(head.address);
    assert.ok(secret, "the head wrote its secret");
    await assert.rejects(workerStatus(worker.address), { code: "UNAUTHENTICATED" });
    const status = await workerStatus(worker.address, {
      credential: mintCredential(secret, { role: "observer" }),
    });
    assert.equal(status.nodeId, "s1");
    assert.equal(status.headAddress, head.address);
    assert.equal(status.headState, "connected");
    assert.deepEqual(status.actors, []);
    assert.equal(status.resources.gpus.length, 2);
    assert.equal(status.telemetry?.gpus.length, 2);
    assert.match(status.telemetrySource, /^replay of two-gpus-heat-cycle\.csv$/);
    assert.equal(status.metricsAddress, worker.metricsAddress);

    let out = "";
    const code = await runWorkerQuery(
      ["--status", worker.address, "--head", head.address],
      {},
      {
        write: (t) => (out += t),
      },
    );
    assert.equal(code, 0);
    assert.match(out, /^node s1\n/);
    assert.match(out, /head {7}\S+ \(connected/);
    assert.match(out, /GPU 1 NVIDIA GeForce RTX 4090 GPU-8a9b0c1d-\S+: \d+ °C, util \d+%/);

    const viaEntry = await entry(["--status", worker.address, "--head", head.address]);
    assert.equal(viaEntry.code, 0, viaEntry.stderr);
    assert.match(viaEntry.stdout, /^node s1\n/);
    await assert.rejects(runWorkerQuery(["--status"], {}, { write: () => {} }), /needs the worker's address/);
  });
});
