import type { MikroORM } from "@mikro-orm/postgresql";
import type { ClusterWatch } from "../cluster-events/cluster-watch.js";
import type { RedisConnections } from "../infra/redis-connections.js";
import { RedisPubSub } from "../tasks/redis-channel.js";
import { AlertEngine } from "./alert-engine.js";
import { type AlertRow, recordAlertChange } from "./alert-store.js";
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

  readonly #orm: MikroORM;
  readonly #watch: ClusterWatch;
  readonly #log: (msg: string, err?: unknown) => void;

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
    this.#engine = new AlertEngine(thresholds, cooldownMs);
    this.#bus = new RedisPubSub(connections);
    this.#channel = `${connections.prefix}:gpu-alerts`;
  }

  start(): void {
    this.#stop = this.#watch.listen((event) => {
      if (event.kind !== "telemetry") return;
      const changes = this.#engine.evaluate(event.nodeId, event.telemetry.gpus, event.atMs);
      for (const change of changes) {
        void recordAlertChange(this.#orm, change)
          .then((row) =>
            row ? this.#bus.publish(this.#channel, { change: change.change, alert: row }) : undefined,
          )
          .catch((err) => this.#log("gpu alerts: recording failed", err));
      }
    });
  }

  /** Every alert change; resolves once Redis acknowledged the SUBSCRIBE. */
  subscribe(onEvent: (event: GpuAlertEvent) => void): Promise<() => void> {
    return this.#bus.subscribe(this.#channel, onEvent);
  }

  async close(): Promise<void> {
    this.#stop?.();
    await this.#bus.close();
  }
}
