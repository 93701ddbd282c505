import type { MikroORM } from "@mikro-orm/postgresql";
import type { ClusterWatch } from "../cluster-events/cluster-watch.js";
import { downsampleAndPrune, type RecordedSample, recordSamples } from "./gpu-metrics-store.js";

/**
 * Keeps the GPU metrics history: the head's telemetry (ClusterWatch) is buffered and written
 * every `flushMs` in one statement, and every `jobIntervalMs` the last minutes are averaged
 * into minute rows and old rows pruned (gpu-metrics-store.ts). Every api process may run one:
 * the writes are idempotent, so several processes make the same rows.
 */
export interface GpuMetricsRecorderOptions {
  flushMs: number;
  jobIntervalMs: number;
  now?: () => number;
  log: (msg: string, err?: unknown) => void;
}

export class GpuMetricsRecorder {
  readonly #orm: MikroORM;
  readonly #watch: ClusterWatch;
  readonly #opts: GpuMetricsRecorderOptions;
  readonly #now: () => number;
  #buffer: RecordedSample[] = [];
  #timers: ReturnType<typeof setInterval>[] = [];
  #stopWatch: (() => void) | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(orm: MikroORM, watch: ClusterWatch, opts: GpuMetricsRecorderOptions) {
    this.#orm = orm;
    this.#watch = watch;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  start(): void {
    this.#stopWatch = this.#watch.listen((event) => {
      if (event.kind !== "telemetry") return;
      const atMs = event.telemetry.sampledAtMs || event.atMs;
      for (const gpu of event.telemetry.gpus) this.#buffer.push({ nodeId: event.nodeId, atMs, gpu });
    });
    this.#timers.push(setInterval(() => void this.flush(), this.#opts.flushMs));
    this.#timers.push(setInterval(() => void this.runJob(), this.#opts.jobIntervalMs));
  }

  /** Writes what is buffered (one write at a time). */
  flush(): Promise<void> {
    const batch = this.#buffer;
    this.#buffer = [];
    this.#writing = this.#writing.then(() =>
      recordSamples(this.#orm.em.fork(), batch).catch((err) =>
        this.#opts.log("gpu metrics: write failed", err),
      ),
    );
    return this.#writing;
  }

  /** Averages recent minutes and prunes old rows. */
  async runJob(): Promise<void> {
    try {
      await downsampleAndPrune(this.#orm.em.fork(), this.#now());
    } catch (err) {
      this.#opts.log("gpu metrics: downsampling failed", err);
    }
  }

  async stop(): Promise<void> {
    this.#stopWatch?.();
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.flush();
  }
}
