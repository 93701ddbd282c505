/**
 * Polls a telemetry source at a fixed interval and keeps the latest sample (sent with each
 * heartbeat, served on /metrics and to `--status`), with the host's own figures taken at the same
 * time (host-telemetry.ts). One poll at a time: a slow nvidia-smi delays the next poll instead of
 * piling up processes.
 */
import type { HostSample, NodeTelemetry } from "@neurogrid/schema";
import type { TelemetrySource } from "./telemetry-sources.js";

export class TelemetryPoller {
  readonly #source: TelemetrySource;
  readonly #intervalMs: number;
  readonly #host: (() => HostSample) | undefined;
  readonly #listeners = new Set<(sample: NodeTelemetry) => void>();
  #latest: NodeTelemetry | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(source: TelemetrySource, intervalMs: number, host?: () => HostSample) {
    this.#source = source;
    this.#intervalMs = intervalMs;
    this.#host = host;
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
    const gpus = await this.#source.sample();
    if (this.#stopped) return;
    const sample = this.#host === undefined ? gpus : { ...gpus, host: this.#host() };
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
