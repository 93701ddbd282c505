import type { MikroORM } from "@mikro-orm/postgresql";
import type { ClusterWatch } from "../cluster-events/cluster-watch.js";
import type { RedisConnections } from "../infra/redis-connections.js";
import { RedisPubSub } from "../tasks/redis-channel.js";
import { type AlertChange, AlertEngine } from "./alert-engine.js";
import { type AlertRow, recordAlertChange } from "./alert-store.js";
import { ThresholdOverrides } from "./threshold-overrides.js";
import type { AlertThresholds } from "./thresholds.js";

/**
 * GPU alerts in an api process: the head's telemetry (ClusterWatch) goes through the alert
 * engine; each change is recorded in PostgreSQL and, by the process that recorded it, published
 * on Redis, so every api process's gpuAlerts subscribers hear it once.
 */
export interface GpuAlertEvent {
  change: "opened" | "escalated" | "resolved";
  alert: AlertRow;
}

export class AlertService {
  readonly #bus: RedisPubSub<GpuAlertEvent>;
  readonly #channel: string;
  readonly #engine: AlertEngine;
  #stop: (() => void) | undefined;
  /** An admin's thresholds per node or GPU; reloaded when any process announces a change. */
  readonly #overrides = new ThresholdOverrides();
  readonly #thresholdBus: RedisPubSub<{ changedAtMs: number }>;
  readonly #thresholdChannel: string;
  #stopThresholds: Promise<() => void> | undefined;

  readonly #orm: MikroORM;
  readonly #watch: ClusterWatch;
  readonly #log: (msg: string, err?: unknown) => void;
  /** Told of each change this process recorded (the webhooks), after it is published. */
  readonly #recorded: ((event: GpuAlertEvent) => void)[] = [];

  constructor(
    orm: MikroORM,
    watch: ClusterWatch,
    connections: RedisConnections,
    thresholds: AlertThresholds,
    cooldownMs: number,
    log: (msg: string, err?: unknown) => void,
  ) {
    this.#orm = orm;
    this.#watch = watch;
    this.#log = log;
    this.#engine = new AlertEngine(thresholds, cooldownMs, this.#overrides.lookup);
    this.#bus = new RedisPubSub(connections);
    this.#channel = `${connections.prefix}:gpu-alerts`;
    this.#thresholdBus = new RedisPubSub(connections);
    this.#thresholdChannel = `${connections.prefix}:alert-thresholds`;
  }

  start(): void {
    this.#stopThresholds = this.#thresholdBus
      .subscribe(this.#thresholdChannel, () => void this.#reloadThresholds())
      .then((stop) => {
        void this.#reloadThresholds();
        return stop;
      });
    this.#stop = this.#watch.listen((event) => {
      if (event.kind !== "telemetry") return;
      const changes = this.#engine.evaluate(event.nodeId, event.telemetry.gpus, event.atMs);
      for (const change of changes) {
        void this.announce(change).catch((err) => this.#log("gpu alerts: recording failed", err));
      }
    });
  }

  /** Records a change and, when this call recorded it, publishes it; whether it did. */
  async announce(change: AlertChange): Promise<boolean> {
    const row = await recordAlertChange(this.#orm, change);
    if (!row) return false;
    const event: GpuAlertEvent = { change: change.change, alert: row };
    await this.#bus.publish(this.#channel, event);
    for (const listener of this.#recorded) listener(event);
    return true;
  }

  /** Calls `listener` with each change this process records: once per change across processes. */
  onRecorded(listener: (event: GpuAlertEvent) => void): void {
    this.#recorded.push(listener);
  }

  /** Tells every api process (this one too) that an admin changed a threshold. */
  async thresholdsChanged(): Promise<void> {
    await this.#thresholdBus.publish(this.#thresholdChannel, { changedAtMs: Date.now() });
  }

  async #reloadThresholds(): Promise<void> {
    await this.#overrides
      .load(this.#orm.em.fork())
      .catch((err) => this.#log("gpu alerts: loading thresholds failed", err));
  }

  /** Every alert change; resolves once Redis acknowledged the SUBSCRIBE. */
  subscribe(onEvent: (event: GpuAlertEvent) => void): Promise<() => void> {
    return this.#bus.subscribe(this.#channel, onEvent);
  }

  async close(): Promise<void> {
    this.#stop?.();
    (await this.#stopThresholds)?.();
    await this.#thresholdBus.close();
    await this.#bus.close();
  }
}
