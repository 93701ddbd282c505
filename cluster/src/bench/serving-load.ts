/**
 * The serving benchmark's load: closed-loop clients (each sends its next one-row call when the
 * last one is answered), an open-loop latency probe (calls at fixed intervals, not waiting for
 * answers), and bare onnxruntime at fixed batch sizes. The rows are seeded, so every run and
 * every mode sends the same inputs.
 */
import { InferenceSession, Tensor } from "onnxruntime-node";
import { mulberry32 } from "../models/prng.js";
import { sessionOptionsFor } from "../runtime/execution-provider.js";
import { callRate } from "./measure.js";

/** Each row in binary form ({ dims, base64 }: runtime/tensor-binary.ts), encoded once per row. */
const encoded = new WeakMap<number[], string>();

/** `infer` arguments for one row of input `x`, in binary form (Triton's binary tensor extension). */
export function binaryInferArgs(row: number[]) {
  let base64 = encoded.get(row);
  if (base64 === undefined) {
    base64 = Buffer.from(Float32Array.from(row).buffer).toString("base64");
    encoded.set(row, base64);
  }
  return { inputs: { x: { dims: [1, row.length], base64 } } };
}

/** What the benchmark reads from an `infer` result. */
interface Batched {
  batchSize: number;
}

export type InferOne = (row: number[]) => Promise<Batched>;

/** `count` seeded rows of `width` float32 values in [-1, 1), handed out round-robin. */
export class Rows {
  readonly #rows: number[][];
  #next = 0;

  constructor(count: number, width: number, seed = 2026) {
    const random = mulberry32(seed);
    this.#rows = Array.from({ length: count }, () =>
      Array.from({ length: width }, () => Math.fround(random() * 2 - 1)),
    );
  }

  next(): number[] {
    return this.#rows[this.#next++ % this.#rows.length] as number[];
  }
}

export interface ClosedLoop {
  rowsPerSecond: number;
  meanBatchSize: number;
}

/** A short run of the same load, so that connections, code paths and the model are warm. */
export async function warmUp(clients: number, rows: Rows, inferOne: InferOne): Promise<void> {
  await callRate(clients, 0.5, () => inferOne(rows.next()));
}

/** `clients` closed-loop clients for `seconds`: rows/s and the mean batch the calls ran in. */
export async function closedLoop(
  clients: number,
  seconds: number,
  rows: Rows,
  inferOne: InferOne,
): Promise<ClosedLoop> {
  let batchRows = 0;
  let calls = 0;
  const rowsPerSecond = await callRate(clients, seconds, async () => {
    const result = await inferOne(rows.next());
    batchRows += result.batchSize;
    calls += 1;
  });
  return { rowsPerSecond, meanBatchSize: batchRows / Math.max(1, calls) };
}

export interface Latency {
  completed: number;
  p50Ms: number;
  p99Ms: number;
}

/** Calls at fixed intervals (not waiting for answers); each call's latency, start to result. */
export async function openLoop(
  rate: number,
  seconds: number,
  rows: Rows,
  inferOne: InferOne,
): Promise<Latency> {
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
      inferOne(rows.next()).then(() => {
        latencies.push(performance.now() - sent);
      }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { completed: latencies.length, p50Ms: at(0.5), p99Ms: at(0.99) };
}

export interface RawFigure {
  batch: number;
  rowsPerSecond: number;
}

/** Rows per second of a bare session in this process at each batch size, on pre-built tensors. */
export async function rawThroughput(
  path: string,
  threads: number,
  batches: readonly number[],
  seconds: number,
  rows: Rows,
  width: number,
): Promise<RawFigure[]> {
  const session = await InferenceSession.create(
    path,
    sessionOptionsFor("cpu", { intraOpNumThreads: threads }),
  );
  try {
    const out: RawFigure[] = [];
    for (const batch of batches) {
      const data = new Float32Array(batch * width);
      for (let i = 0; i < batch; i++) data.set(rows.next(), i * width);
      const feeds = { x: new Tensor("float32", data, [batch, width]) };
      for (let i = 0; i < 3; i++) await session.run(feeds);
      const calls = await callRate(1, seconds, () => session.run(feeds));
      out.push({ batch, rowsPerSecond: calls * batch });
    }
    return out;
  } finally {
    await session.release();
  }
}
