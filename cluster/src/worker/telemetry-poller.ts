/**
 * Polls a telemetry source at a fixed interval and keeps the latest sample (sent with each
 * heartbeat, served on /metrics and to `--status`). One poll at a time: a slow nvidia-smi delays
 * the next poll instead of piling up processes.
 */
import type { NodeTelemetry } from "@neurogrid/schema";
import type { TelemetrySource } from "./telemetry-sources.js";

export class TelemetryPoller {
  readonly #source: TelemetrySource;
  readonly #intervalMs: number;
  readonly #listeners = new Set<(sample: NodeTelemetry) => void>();
  #latest: NodeTelemetry | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(source: TelemetrySource, intervalMs: number) {
    this.#source = source;
    this.#intervalMs = intervalMs;
  }

  get source(): TelemetrySource {
    return this.#source;
  }

  /** Takes the first sample, then keeps polling until stop(). */
  async start(): Promise<void> {
    await this.#poll();
  }

  latest(): NodeTelemetry | undefined {
    return this.#latest;
  }

  /** Hears every new sample; returns the unsubscribe function. */
  onSample(listener: (sample: NodeTelemetry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #poll(): Promise<void> {
    if (this.#stopped) return;
    const sample = await this.#source.sample();
    if (this.#stopped) return;
    this.#latest = sample;
    for (const listener of [...this.#listeners]) {
      try {
        listener(sample);
      } catch {
        // a listener's failure is its own
      }
    }
    this.#timer = setTimeout(() => void this.#poll(), this.#intervalMs);
    this.#timer.unref?.();
  }
}
