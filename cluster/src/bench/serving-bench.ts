/**
 * Serving benchmark: what dynamic batching buys on one deployment of a model whose batch-1
 * inference is memory-bound (as a large model's decode step is on a GPU), with many concurrent
 * clients calling it through the cluster.
 *
 *   npm run bench:serving -- --json [--seconds 3] [--clients 128] [--rate R]
 *   node cluster/dist/bench/serving-bench.js --json ...        (after npm run build)
 *
 * The model is the wide MLP (models/wide-mlp.ts: 256 -> 3072 -> 3072 -> 64, ~40 MB of float32
 * weights): batch 1 streams every weight for one row, a batch reads them once for all its rows.
 * It is built with the project's ONNX builder and written through the model file cache; every
 * mode loads that one file by path + sha256 with its manifest, like a registered model, on the
 * CPU provider with intraOpNumThreads 1.
 *
 * The deployment (serving-cluster.ts): a head and one worker started as child processes on
 * 127.0.0.1, and one replica (minReplicas = maxReplicas = 1) of the "model" actor class in its
 * own actor process, started by the worker. `clients` closed-loop clients in this process
 * (default 128), each sending one row per call and its next call when the last is answered,
 * all through one DeploymentHandle (handle.call("infer"): power-of-two routing, here over the
 * one replica; JSON arguments over the actor's gRPC call channel, straight to the replica),
 * the row in binary form ({ dims, base64 }: ~1.4 KB, as Triton's binary tensor extension)
 * rather than as JSON numbers (~5 KB to parse per call).
 *   (a) naive    that deployment with batching off (maxBatchSize 1: one inference per call);
 *   (b) batched  that deployment with the manifest's dynamic batching (up to 64 rows, 2 ms
 *                wait); rows/s over `seconds` after a 0.5 s warm-up, and the mean batch size;
 *   latency      (b) under an open-loop load of `rate` calls/s at fixed intervals (default: half
 *                of (b)'s throughput), through the same handle: p50 and p99 from each call's
 *                start to its result;
 *   (c) raw      onnxruntime in this process, no actor, no cluster, at each batch size in
 *                RAW_BATCHES on pre-built tensors; the best rows/s counts.
 * Then, for reference, the same actor class in this process (createModelActor, called through
 * ActorInstance.call: validation, batcher, output slicing, but no process hop, no JSON, no
 * gRPC), with batching off and on, the same clients: inProcessNaiveRowsPerS and
 * inProcessBatchedRowsPerS. (a), (b) and the ratios are the deployment's.
 *
 * With --json the last line is one JSON object: vsNaiveRatio (b/a), vsRawRatio (b/c), the
 * throughputs in rows/s, the raw figures per batch size, the latency figures, the in-process
 * reference figures, and where (b)'s replica spent its time: batchedReplicaCpuCores (its
 * process's CPU over the closed loop, from /proc; null elsewhere) and batchedReplicaCpuUsPerRow,
 * next to rawBestUsPerRow. Every process the benchmark starts (head, worker, replicas) is stopped
 * by its PID before it exits, also when a step fails or on SIGINT/SIGTERM.
 *
 * What holds (b) below raw (measured with the replica's CPU profile): the replica's one
 * JavaScript thread does everything, inference included (onnxruntime-node's session.run is
 * synchronous on it), so (1) per-call work (parsing, validation, result JSON, gRPC) adds to the
 * ~150 us of inference per row (CPU per row above rawBestUsPerRow), and (2) it idles while
 * requests and replies wait for HTTP/2 flow control, whose window updates it cannot send while
 * an inference blocks its event loop. Against (2): callers open 16 MiB windows for replies
 * (grpc/client-pool.ts; grpc-js servers cannot yet widen the request direction), and the
 * batcher starts the next inference one event-loop turn after the last (runtime/batcher.ts),
 * so replies go out and waiting requests are read in between.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InferResult } from "@neurogrid/schema";
import { ensureModelFile } from "../models/model-file-cache.js";
import { buildWideMlpOnnx, DEFAULT_WIDE_MLP, wideMlpManifest } from "../models/wide-mlp.js";
import type { BatchingLimits } from "../runtime/batcher.js";
import { createModelActor } from "../runtime/model-actor.js";
import { benchArgs, round } from "./measure.js";
import {
  modelInitArgs,
  processCpuSeconds,
  type ServingCluster,
  type ServingModel,
  startServingCluster,
} from "./serving-cluster.js";
import {
  binaryInferArgs,
  closedLoop,
  type InferOne,
  openLoop,
  Rows,
  rawThroughput,
  warmUp,
} from "./serving-load.js";

const THREADS = 1;
const RAW_BATCHES = [1, 8, 16, 32, 64, 128];
const DISTINCT_ROWS = 256;
const BATCHING_OFF: BatchingLimits = { maxBatchSize: 1, batchWaitTimeoutMs: 0 };

const args = benchArgs(process.argv.slice(2), { seconds: 3, clients: 128, rate: 1e9 });
const log = (line: string) => {
  if (!args.json) console.log(line);
  else console.error(line);
};

const shape = DEFAULT_WIDE_MLP;
const manifest = wideMlpManifest(shape);
const batching = manifest.batching as BatchingLimits;
const rows = new Rows(DISTINCT_ROWS, shape.inputs);

const cacheDir = await mkdtemp(join(tmpdir(), "serving-bench-"));
let cluster: ServingCluster | undefined;
let cleaning: Promise<void> | undefined;
/** Stops the cluster's processes (if still up) and removes the model file; once. */
const cleanUp = () =>
  (cleaning ??= (async () => {
    try {
      await cluster?.stop();
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  })());
let interrupted = false;
for (const [signal, status] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping the benchmark's processes`);
    void cleanUp().finally(() => process.exit(status));
  });
}
try {
  const file = await ensureModelFile(cacheDir, buildWideMlpOnnx(shape));
  const model: ServingModel = {
    manifest,
    cacheDir,
    path: file.path,
    sha256: file.sha256,
    intraOpNumThreads: THREADS,
  };
  log(`model ${manifest.name}@${manifest.version}: ${manifest.description}`);

  cluster = await startServingCluster(model, [
    "--cpus",
    "4",
    "--memory-mb",
    "4096",
    "--actor-pool-size",
    "0",
  ]);
  log(`cluster: head ${cluster.headAddress}, worker pid ${cluster.workerPid}`);

  /** One replica with these limits under the closed loop, then (optionally) the latency probe. */
  const measureDeployment = async (name: string, limits: BatchingLimits, probeLatency: boolean) => {
    const replica = await (cluster as ServingCluster).deploy(name, limits);
    try {
      const call: InferOne = (row) => replica.handle.call<InferResult>("infer", binaryInferArgs(row));
      await warmUp(args.clients, rows, call);
      const cpuBefore = await processCpuSeconds(replica.pid);
      const started = performance.now();
      const loop = await closedLoop(args.clients, args.seconds, rows, call);
      const wallSeconds = (performance.now() - started) / 1_000;
      const cpuAfter = await processCpuSeconds(replica.pid);
      const cpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
      const replicaCpu = {
        cores: cpu === undefined ? null : round(cpu / wallSeconds, 2),
        usPerRow: cpu === undefined ? null : round((cpu * 1e6) / (loop.rowsPerSecond * wallSeconds)),
      };
      if (!probeLatency) return { loop, replicaCpu, rate: 0, latency: undefined };
      const rate = args.rate === 1e9 ? Math.max(1, Math.round(loop.rowsPerSecond / 2)) : args.rate;
      return { loop, replicaCpu, rate, latency: await openLoop(rate, args.seconds, rows, call) };
    } finally {
      await replica.remove();
    }
  };

  const naive = await measureDeployment("wide-mlp-naive", BATCHING_OFF, false);
  log(`(a) deployment, batching off: ${round(naive.loop.rowsPerSecond)} rows/s`);
  const batched = await measureDeployment("wide-mlp-batched", batching, true);
  const latency = batched.latency ?? { completed: 0, p50Ms: 0, p99Ms: 0 };
  log(
    `(b) deployment, dynamic batching (max ${batching.maxBatchSize}, ${batching.batchWaitTimeoutMs} ms): ${round(batched.loop.rowsPerSecond)} rows/s, mean batch ${round(batched.loop.meanBatchSize, 1)}, replica ${batched.replicaCpu.cores} cores busy, ${batched.replicaCpu.usPerRow} us CPU per row`,
  );
  log(
    `(b) at ${batched.rate} calls/s offered: p50 ${round(latency.p50Ms, 2)} ms, p99 ${round(latency.p99Ms, 2)} ms`,
  );
  await cluster.stop();
  cluster = undefined;

  const raw = await rawThroughput(
    file.path,
    THREADS,
    RAW_BATCHES,
    Math.max(0.5, args.seconds / 2),
    rows,
    shape.inputs,
  );
  log(
    `(c) raw onnxruntime: ${raw.map((r) => `batch ${r.batch} ${round(r.rowsPerSecond)}`).join(", ")} rows/s`,
  );
  const best = raw.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));

  const inProcess = async (limits: BatchingLimits) => {
    const actor = await createModelActor(modelInitArgs(model, limits), {
      actorId: "serving-bench",
      gpuIds: [],
      cudaVisibleDevices: "",
    });
    try {
      const call: InferOne = (row) =>
        actor.call("infer", binaryInferArgs(row), new AbortController().signal) as Promise<InferResult>;
      await warmUp(args.clients, rows, call);
      return await closedLoop(args.clients, args.seconds, rows, call);
    } finally {
      await actor.close();
    }
  };
  const inProcessNaive = await inProcess(BATCHING_OFF);
  const inProcessBatched = await inProcess(batching);
  log(
    `in-process actor (reference): batching off ${round(inProcessNaive.rowsPerSecond)} rows/s, batching on ${round(inProcessBatched.rowsPerSecond)} rows/s (mean batch ${round(inProcessBatched.meanBatchSize, 1)})`,
  );

  const summary = {
    model: `${manifest.name}@${manifest.version}`,
    modelFileMb: round((await stat(file.path)).size / 2 ** 20, 1),
    actor:
      "deployment: 1 replica (own process) on a worker, head + worker child processes on 127.0.0.1, through one DeploymentHandle",
    executionProvider: "cpu",
    intraOpNumThreads: THREADS,
    clients: args.clients,
    rowsPerCall: 1,
    seconds: args.seconds,
    batching,
    naiveRps: round(naive.loop.rowsPerSecond, 1),
    batchedRps: round(batched.loop.rowsPerSecond, 1),
    meanBatchSize: round(batched.loop.meanBatchSize, 1),
    batchedReplicaCpuCores: batched.replicaCpu.cores,
    batchedReplicaCpuUsPerRow: batched.replicaCpu.usPerRow,
    rawBestUsPerRow: round(1e6 / best.rowsPerSecond),
    rawBestRps: round(best.rowsPerSecond, 1),
    rawBestBatch: best.batch,
    rawByBatch: Object.fromEntries(raw.map((r) => [r.batch, round(r.rowsPerSecond, 1)])),
    latency: {
      offeredRps: batched.rate,
      completed: latency.completed,
      p50Ms: round(latency.p50Ms, 2),
      p99Ms: round(latency.p99Ms, 2),
    },
    inProcessNaiveRowsPerS: round(inProcessNaive.rowsPerSecond, 1),
    inProcessBatchedRowsPerS: round(inProcessBatched.rowsPerSecond, 1),
    inProcessMeanBatchSize: round(inProcessBatched.meanBatchSize, 1),
    vsNaiveRatio: round(batched.loop.rowsPerSecond / naive.loop.rowsPerSecond, 2),
    vsRawRatio: round(batched.loop.rowsPerSecond / best.rowsPerSecond, 2),
  };
  log(`b/a ${summary.vsNaiveRatio} (target >= 3), b/c ${summary.vsRawRatio} (target >= 0.5)`);
  if (args.json) console.log(JSON.stringify(summary));
} catch (err) {
  if (!interrupted) throw err; // else: a step failed because its processes were being stopped
} finally {
  await cleanUp();
}
