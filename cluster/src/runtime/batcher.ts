/**
 * The dynamic batcher: concurrent calls that arrive close together run as one inference, as in
 * Triton's dynamic batcher and Ray Serve's @serve.batch. Generic over what a call carries; the
 * model actor (model-actor.ts) gives it validated tensors and a `run` that concatenates them.
 *
 * The rule:
 *   - Calls wait in one FIFO queue. A call brings `rows` (its share of the batch dimension) and
 *     a `key`: only calls with the same key can share an inference (same non-batch dimensions).
 *   - At most one batch runs at a time. The next batch is the queue's head plus every later call
 *     with the head's key that still fits in maxBatchSize rows (a single call larger than
 *     maxBatchSize runs alone, never split).
 *   - That batch starts when it is full or when its head has waited batchWaitTimeoutMs,
 *     whichever is first. Waiting counts from each call's arrival, so calls that queued behind
 *     a running batch start as soon as it finishes (one inference in flight keeps the
 *     session's threads busy with one large product rather than several small ones) — one
 *     event-loop turn later, so that the finished batch's replies are written and the calls
 *     that arrived during it are read first.
 *   - maxBatchSize 1 is "batching off": one inference per call, in arrival order.
 *   - A call whose signal aborts while it is queued leaves the queue at once (CANCELLED) and
 *     never reaches an inference. Once its batch has started, the inference runs to its end.
 *   - `run` returns one result per call, in order; if it throws, every call of that batch fails
 *     with that error (bad input never gets this far: the caller validates each call first).
 */
import { ClusterError } from "../errors.js";

export interface BatchingLimits {
  maxBatchSize: number;
  batchWaitTimeoutMs: number;
}

/** What a call learns about the inference it ran in. */
export interface Batched<R> {
  result: R;
  /** Rows in the inference this call ran in (all calls of the batch). */
  batchRows: number;
  /** Calls in that inference, this one included. */
  batchRequests: number;
}

export type RunBatch<T, R> = (payloads: readonly T[]) => Promise<readonly R[]>;

interface Waiting<T, R> {
  payload: T;
  rows: number;
  key: string;
  arrivedAt: number;
  resolve(value: Batched<R>): void;
  reject(err: unknown): void;
  detach(): void;
}

export class DynamicBatcher<T, R> {
  readonly #queue: Waiting<T, R>[] = [];
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #run: RunBatch<T, R>;
  readonly #now: () => number;

  constructor(
    readonly limits: BatchingLimits,
    run: RunBatch<T, R>,
    now: () => number = () => performance.now(),
  ) {
    this.#run = run;
    this.#now = now;
  }

  /** Calls waiting for a batch (not counting the one running). */
  get queued(): number {
    return this.#queue.length;
  }

  submit(payload: T, rows: number, key: string, signal: AbortSignal): Promise<Batched<R>> {
    if (signal.aborted) {
      return Promise.reject(new ClusterError("CANCELLED", "cancelled before the model ran"));
    }
    return new Promise<Batched<R>>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(waiting);
        if (index < 0) return; // already in a running batch: it completes normally
        this.#queue.splice(index, 1);
        reject(new ClusterError("CANCELLED", "cancelled while waiting for a batch; the model never ran it"));
        this.#pump();
      };
      const waiting: Waiting<T, R> = {
        payload,
        rows,
        key,
        arrivedAt: this.#now(),
        resolve,
        reject,
        detach: () => signal.removeEventListener("abort", onAbort),
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiting);
      this.#pump();
    });
  }

  /** Starts the next batch if it is due, else arms the timer for when it will be. */
  #pump(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#running || this.#queue.length === 0) return;
    const { batch, full } = this.#nextBatch();
    const head = batch[0] as Waiting<T, R>;
    const dueIn = head.arrivedAt + this.limits.batchWaitTimeoutMs - this.#now();
    if (full || dueIn <= 0) {
      void this.#start(batch);
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, Math.ceil(dueIn));
  }

  /** The head and the later calls that can join it; `full` when no more rows would fit. */
  #nextBatch(): { batch: Waiting<T, R>[]; full: boolean } {
    const head = this.#queue[0] as Waiting<T, R>;
    const max = this.limits.maxBatchSize;
    const batch = [head];
    let rows = head.rows;
    for (let i = 1; i < this.#queue.length && rows < max; i++) {
      const next = this.#queue[i] as Waiting<T, R>;
      if (next.key !== head.key || rows + next.rows > max) continue;
      batch.push(next);
      rows += next.rows;
    }
    return { batch, full: rows >= max };
  }

  async #start(batch: Waiting<T, R>[]): Promise<void> {
    this.#running = true;
    for (const w of batch) {
      this.#queue.splice(this.#queue.indexOf(w), 1);
      w.detach();
    }
    const batchRows = batch.reduce((sum, w) => sum + w.rows, 0);
    try {
      const results = await this.#run(batch.map((w) => w.payload));
      if (results.length !== batch.length) {
        throw new ClusterError(
          "INTERNAL",
          `batch of ${batch.length} calls produced ${results.length} results`,
        );
      }
      batch.forEach((w, i) => {
        w.resolve({ result: results[i] as R, batchRows, batchRequests: batch.length });
      });
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      // The next batch starts one event-loop turn later: an inference blocks this thread, so
      // first let the finished batch's replies go out and the requests that arrived meanwhile
      // be read (they may join the next batch).
      setImmediate(() => {
        this.#running = false;
        this.#pump();
      });
    }
  }
}
