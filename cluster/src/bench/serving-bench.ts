/**
 * Serving benchmark: what dynamic batching buys on a model whose batch-1 inference is
 * memory-bound, as a large model's decode step is on a GPU.
 *
 *   node cluster/dist/bench/serving-bench.js [--json] [--seconds 3] [--clients 128] [--rate R]
 *
 * The model is the wide MLP (models/wide-mlp.ts: 256 -> 3072 -> 3072 -> 64, ~42 MB of float32
 * weights): batch 1 streams every weight for one row, a batch reads them once for all its rows.
 * It is built with the project's ONNX builder, written through the model file cache and loaded
 * from there by path + sha256 with its manifest, like a registered model.
 *
 * The actor runs in this process, constructed through the actor class (createModelActor) and
 * called through its `call` method, exactly as the actor host calls it: every call goes through
 * the same validation, batcher and output slicing as in an actor process. No network hop is
 * measured, so the figures are the model actor's own. One run measures, with the same model,
 * the same inputs and the same thread count (intraOpNumThreads 1 everywhere, CPU provider here):
 *   (a) naive    the actor with batching off (maxBatchSize 1: one inference per call), `clients`
 *                concurrent closed-loop clients sending one row each;
 *   (b) batched  the actor with its manifest's dynamic batching (up to 64 rows, 2 ms wait),
 *                the same clients;
 *   (c) raw      onnxruntime in this process, no actor, at each batch size in RAW_BATCHES on
 *                pre-built tensors; the best rows/s counts;
 *   latency      (b) under an open-loop load of `rate` calls/s at fixed intervals (default: half
 *                of (b)'s throughput), p50 and p99 from each call's start to its result.
 * With --json the last line is one JSON object: vsNaiveRatio (b/a), vsRawRatio (b/c), the
 * throughputs in rows/s, the raw figures per batch size, and the latency figures.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { ensureModelFile } from "../models/model-file-cache.js";
import { mulberry32 } from "../models/prng.js";
import { buildWideMlpOnnx, DEFAULT_WIDE_MLP, wideMlpManifest } from "../models/wide-mlp.js";
import type { ActorInstance } from "../runtime/actor-class.js";
import { sessionOptionsFor } from "../runtime/execution-provider.js";
import { createModelActor, type InferResult } from "../runtime/model-actor.js";
import { benchArgs, callRate, round } from "./measure.js";

const THREADS = 1;
const RAW_BATCHES = [1, 8, 16, 32, 64, 128];
const DISTINCT_ROWS = 256;

const args = benchArgs(process.argv.slice(2), { seconds: 3, clients: 128, rate: 1e9 });
const log = (line: string) => {
  if (!args.json) console.log(line);
  else console.error(line);
};

const shape = DEFAULT_WIDE_MLP;
const manifest = wideMlpManifest(shape);
const random = mulberry32(2026);
const rows = Array.from({ length: DISTINCT_ROWS }, () =>
  Array.from({ length: shape.inputs }, () => Math.fround(random() * 2 - 1)),
);
let next = 0;
const nextRow = () => rows[next++ % DISTINCT_ROWS] as number[];

const cacheDir = await mkdtemp(join(tmpdir(), "serving-bench-"));
try {
  const file = await ensureModelFile(cacheDir, buildWideMlpOnnx(shape));
  log(`model ${manifest.name}@${manifest.version}: ${manifest.description}`);

  const open = (batching: { maxBatchSize: number; batchWaitTimeoutMs: number } | undefined) =>
    createModelActor(
      {
        name: manifest.name,
        version: manifest.version,
        cacheDir,
        path: file.path,
        sha256: file.sha256,
        manifest,
        intraOpNumThreads: THREADS,
        ...(batching ? { batching } : {}),
      },
      { actorId: "serving-bench", gpuIds: [], cudaVisibleDevices: "" },
    );
  const inferOne = (actor: ActorInstance) => inferOneOn(actor) as Promise<InferResult>;

  const naive = await open({ maxBatchSize: 1, batchWaitTimeoutMs: 0 });
  await callRate(args.clients, 0.5, () => inferOne(naive));
  const naiveRps = await callRate(args.clients, args.seconds, () => inferOne(naive));
  await naive.close();
  log(`(a) actor, batching off:  ${round(naiveRps)} rows/s`);

  const batched = await open(undefined);
  await callRate(args.clients, 0.5, () => inferOne(batched));
  let batchRows = 0;
  let batchCalls = 0;
  const batchedRps = await callRate(args.clients, args.seconds, async () => {
    const result = await inferOne(batched);
    batchRows += result.batchSize;
    batchCalls += 1;
  });
  const meanBatchSize = batchRows / Math.max(1, batchCalls);
  log(
    `(b) actor, dynamic batching (max ${manifest.batching?.maxBatchSize}): ${round(batchedRps)} rows/s, mean batch ${round(meanBatchSize, 1)}`,
  );

  const raw = await rawThroughput(file.path);
  log(
    `(c) raw onnxruntime: ${raw.map((r) => `batch ${r.batch} ${round(r.rowsPerSecond)}`).join(", ")} rows/s`,
  );
  const best = raw.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));

  const rate = args.rate === 1e9 ? Math.max(1, Math.round(batchedRps / 2)) : args.rate;
  const latency = await openLoop(batched, rate, args.seconds);
  await batched.close();
  log(`(b) at ${rate} calls/s offered: p50 ${round(latency.p50Ms, 2)} ms, p99 ${round(latency.p99Ms, 2)} ms`);

  const summary = {
    model: `${manifest.name}@${manifest.version}`,
    modelFileMb: round((await stat(file.path)).size / 2 ** 20, 1),
    actor: "in-process (createModelActor, called through ActorInstance.call)",
    executionProvider: "cpu",
    intraOpNumThreads: THREADS,
    clients: args.clients,
    seconds: args.seconds,
    naiveRps: round(naiveRps, 1),
    batchedRps: round(batchedRps, 1),
    meanBatchSize: round(meanBatchSize, 1),
    rawBestRps: round(best.rowsPerSecond, 1),
    rawBestBatch: best.batch,
    rawByBatch: Object.fromEntries(raw.map((r) => [r.batch, round(r.rowsPerSecond, 1)])),
    latency: {
      offeredRps: rate,
      completed: latency.completed,
      p50Ms: round(latency.p50Ms, 2),
      p99Ms: round(latency.p99Ms, 2),
    },
    vsNaiveRatio: round(batchedRps / naiveRps, 2),
    vsRawRatio: round(batchedRps / best.rowsPerSecond, 2),
  };
  log(`b/a ${summary.vsNaiveRatio} (target >= 3), b/c ${summary.vsRawRatio} (target >= 0.5)`);
  if (args.json) console.log(JSON.stringify(summary));
} finally {
  await rm(cacheDir, { recursive: true, force: true });
}

/** Rows per second of a bare session at each batch size, on the benchmark's rows. */
async function rawThroughput(path: string): Promise<{ batch: number; rowsPerSecond: number }[]> {
  const session = await InferenceSession.create(
    path,
    sessionOptionsFor("cpu", { intraOpNumThreads: THREADS }),
  );
  try {
    const out: { batch: number; rowsPerSecond: number }[] = [];
    for (const batch of RAW_BATCHES) {
      const data = new Float32Array(batch * shape.inputs);
      for (let i = 0; i < batch; i++) data.set(nextRow(), i * shape.inputs);
      const feeds = { x: new Tensor("float32", data, [batch, shape.inputs]) };
      for (let i = 0; i < 3; i++) await session.run(feeds);
      const seconds = Math.max(0.5, args.seconds / 2);
      const calls = await callRate(1, seconds, () => session.run(feeds));
      out.push({ batch, rowsPerSecond: calls * batch });
    }
    return out;
  } finally {
    await session.release();
  }
}

/** Calls at fixed intervals (not waiting for answers); each call's latency, start to result. */
async function openLoop(
  actor: ActorInstance,
  rate: number,
  seconds: number,
): Promise<{ completed: number; p50Ms: number; p99Ms: number }> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const interval = 1_000 / rate;
  const start = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    pending.push(
      inferOneOn(actor).then(() => {
        latencies.push(performance.now() - sent);
      }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { completed: latencies.length, p50Ms: at(0.5), p99Ms: at(0.99) };
}

function inferOneOn(actor: ActorInstance): Promise<unknown> {
  return actor.call("infer", { inputs: { x: [nextRow()] } }, new AbortController().signal);
}
