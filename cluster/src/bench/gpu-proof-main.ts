/**
 * The GPU proof (scripts/gpu-proof.sh runs it): on a machine with an NVIDIA GPU and no network,
 * a head and a worker (child processes on loopback, the worker finding its GPUs with
 * nvidia-smi); every builtin model (gpu-proof-models.ts) placed on the GPU as a model actor
 * with the CUDA provider only, then separately with the WebGPU provider only, each beside the
 * same model on the CPU provider (an actor using every core). For batch 1 and batch 64 both get
 * the same seeded inputs: the outputs must agree within the model's tolerance, and the speed-up
 * is the CPU's median inference time over the GPU's (onnxruntime's own time, `inferenceMs`,
 * over CALLS calls after a warm-up call). VRAM is what nvidia-smi says the GPU actor's process
 * uses. The last line on stdout is one JSON object; progress goes to stderr. Exits 0 when a GPU
 * provider ran every model within tolerance (that one is `provider`), else 1.
 *
 * Environment (read here only):
 *   NEUROGRID_GPU_PROOF_PROVIDER=cpu   the CPU-against-CPU path (no GPU needed), for tests
 *   NEUROGRID_GPU_PROOF_CALLS=N        timed calls per figure (default CALLS)
 *   NEUROGRID_NVIDIA_SMI=FILE          the nvidia-smi to query (default: nvidia-smi on PATH)
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ActorState, type InferResult } from "@neurogrid/schema";
import { waitFor } from "../cli/testing/processes.js";
import { startTestCluster, type TestCluster } from "../cli/testing/test-cluster.js";
import { ClusterClient } from "../client/cluster-client.js";
import type { ModelExecutionProvider } from "../runtime/execution-provider.js";
import { flatOutputs, maxAbsDiff, PROOF_MODELS, type ProofModel } from "./gpu-proof-models.js";
import { median, round } from "./measure.js";

const run = promisify(execFile);
const CALLS = 10;
const BATCHES = [1, 64] as const;
const NAMESPACE = "gpu-proof";
const ACTOR_START_TIMEOUT_MS = 120_000;
const CALL_TIMEOUT_MS = 120_000;

const cpuOnly = process.env.NEUROGRID_GPU_PROOF_PROVIDER === "cpu";
const calls = Number(process.env.NEUROGRID_GPU_PROOF_CALLS ?? CALLS);
const nvidiaSmi = process.env.NEUROGRID_NVIDIA_SMI ?? "nvidia-smi";
const cores = availableParallelism();
const log = (line: string) => process.stderr.write(`gpu-proof: ${line}\n`);

interface Figure {
  gpuMs: number;
  cpuMs: number;
  speedup: number;
  maxAbsDiff: number;
}

interface ModelResult {
  tolerance: number;
  withinTolerance: boolean;
  batch1?: Figure;
  batch64?: Figure;
  vramMb: number | null;
  error?: string;
}

async function gpuFacts() {
  if (cpuOnly) return { gpu: null, driver: null, cudaVersion: null };
  const [query, header] = await Promise.all([
    run(nvidiaSmi, ["--query-gpu=name,driver_version", "--format=csv,noheader"]),
    run(nvidiaSmi, []),
  ]);
  const [name, driver] = (query.stdout.split("\n")[0] ?? "").split(",").map((s) => s.trim());
  const cudaVersion = header.stdout.match(/CUDA Version:\s*([\d.]+)/)?.[1] ?? null;
  return { gpu: name ?? null, driver: driver ?? null, cudaVersion };
}

/** MiB of GPU memory nvidia-smi says process `pid` uses (null when it lists none). */
async function vramOf(pid: number | undefined): Promise<number | null> {
  if (cpuOnly || pid === undefined) return null;
  const { stdout } = await run(nvidiaSmi, [
    "--query-compute-apps=pid,used_memory",
    "--format=csv,noheader,nounits",
  ]);
  const row = stdout
    .split("\n")
    .map((l) => l.split(",").map((s) => s.trim()))
    .find(([p]) => Number(p) === pid);
  return row ? Number(row[1]) : null;
}

async function startActor(
  client: ClusterClient,
  cluster: TestCluster,
  model: ProofModel,
  provider: ModelExecutionProvider,
  name: string,
) {
  const onGpu = provider !== "cpu";
  const actor = await client.getOrCreateActor({
    name,
    namespace: NAMESPACE,
    className: "model",
    initArgs: {
      name: model.name,
      version: model.version,
      executionProviders: [provider],
      intraOpNumThreads: onGpu ? 1 : cores,
      batching: { maxBatchSize: 64, batchWaitTimeoutMs: 0 },
    },
    resources: { cpus: 1, memoryMb: 1024, gpus: onGpu ? 1 : 0, custom: {} },
    lifetime: "detached",
  });
  const info = await waitFor(
    `${name} to be alive`,
    async () => {
      const found = (await client.listActors(NAMESPACE)).find((a) => a.name === name);
      if (found?.pid) cluster.trackActor(found.pid);
      if (found?.state === ActorState.DEAD) throw new Error(found.deathCause || "it died");
      return found?.state === ActorState.ALIVE ? found : undefined;
    },
    ACTOR_START_TIMEOUT_MS,
  );
  return { actor, pid: info.pid };
}

async function compare(
  client: ClusterClient,
  cluster: TestCluster,
  model: ProofModel,
  provider: ModelExecutionProvider,
) {
  const result: ModelResult = { tolerance: model.tolerance, withinTolerance: false, vramMb: null };
  const gpuName = `${model.name}-${provider}`;
  const cpuName = `${model.name}-cpu-baseline`;
  try {
    const gpu = await startActor(client, cluster, model, provider, gpuName);
    const cpu = await startActor(client, cluster, model, "cpu", cpuName);
    let within = true;
    for (const batch of BATCHES) {
      const args = { inputs: model.inputs(batch) };
      const once = async (a: typeof gpu.actor) => a.call<InferResult>("infer", args);
      const [g, c] = [await once(gpu.actor), await once(cpu.actor)];
      if (g.executionProvider !== provider) throw new Error(`ran on ${g.executionProvider}, not ${provider}`);
      const diff = maxAbsDiff(flatOutputs(g.outputs), flatOutputs(c.outputs));
      const time = async (a: typeof gpu.actor) => {
        const ms: number[] = [];
        for (let i = 0; i < calls; i++) ms.push((await once(a)).inferenceMs);
        return median(ms);
      };
      const gpuMs = await time(gpu.actor);
      const cpuMs = await time(cpu.actor);
      const figure = {
        gpuMs: round(gpuMs, 3),
        cpuMs: round(cpuMs, 3),
        speedup: round(cpuMs / gpuMs, 2),
        maxAbsDiff: diff,
      };
      log(`${model.name} batch ${batch} on ${provider}: ${JSON.stringify(figure)}`);
      result[batch === 1 ? "batch1" : "batch64"] = figure;
      within &&= diff <= model.tolerance;
    }
    result.withinTolerance = within;
    result.vramMb = await vramOf(gpu.pid);
  } catch (err) {
    result.error = (err as Error).message;
    log(`${model.name} on ${provider}: ${result.error}`);
  } finally {
    for (const name of [gpuName, cpuName]) await client.killActor(NAMESPACE, name).catch(() => undefined);
  }
  return result;
}

async function main(): Promise<number> {
  const started = performance.now();
  const facts = await gpuFacts();
  const cacheDir = await mkdtemp(join(tmpdir(), "gpu-proof-"));
  const cluster = await startTestCluster({
    workers: { "proof-node": ["--cpus", "64", "--memory-mb", "65536", "--model-cache-dir", cacheDir] },
  });
  const client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: CALL_TIMEOUT_MS });
  // Stopped from outside (the script's time limit, Ctrl-C): stop every process first.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      client.close();
      void cluster.stop().finally(() => process.exit(1));
    });
  }
  try {
    const gpus = (await client.listNodes()).flatMap((n) => n.total.gpus);
    if (!cpuOnly && gpus.length === 0) {
      log("the worker found no GPU (nvidia-smi): nothing to prove on this machine");
      return 1;
    }
    const providers: ModelExecutionProvider[] = cpuOnly ? ["cpu"] : ["cuda", "webgpu"];
    const results: Record<string, { ok: boolean; models: Record<string, ModelResult> }> = {};
    for (const provider of providers) {
      const models: Record<string, ModelResult> = {};
      for (const model of PROOF_MODELS) models[model.name] = await compare(client, cluster, model, provider);
      results[provider] = { ok: Object.values(models).every((m) => m.withinTolerance), models };
    }
    const chosen = providers.find((p) => results[p]?.ok) ?? null;
    const line = {
      ...facts,
      provider: chosen,
      providers: results,
      seconds: round((performance.now() - started) / 1000, 1),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return chosen === null ? 1 : 0;
  } finally {
    client.close();
    await cluster.stop();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
});
