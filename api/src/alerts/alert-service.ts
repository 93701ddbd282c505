import type { MikroORM } from "@mikro-orm/postgresql";
import type { ClusterWatch } from "../cluster-events/cluster-watch.js";
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
  private readonly bus: RedisPubSub<GpuAlertEvent>;
  private readonly channel: string;
  private readonly engine: AlertEngine;
  private stop: (() => void) | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly watch: ClusterWatch,
    redisUrl: string,
    prefix: string,
    thresholds: AlertThresholds,
    cooldownMs: number,
    private readonly log: (msg: string, err?: unknown) => void,
  ) {
    this.engine = new AlertEngine(thresholds, cooldownMs);
    this.bus = new RedisPubSub(redisUrl);
    this.channel = `${prefix}:gpu-alerts`;
  }

  start(): void {
    this.stop = this.watch.listen((event) => {
      if (event.kind !== "telemetry") return;
      const changes = this.engine.evaluate(event.nodeId, event.telemetry.gpus, event.atMs);
      for (const change of changes) {
        void recordAlertChange(this.orm, change)
          .then((row) =>
            row ? this.bus.publish(this.channel, { change: change.change, alert: row }) : undefined,
          )
          .catch((err) => this.log("gpu alerts: recording failed", err));
      }
    });
  }

  /** Every alert change; resolves once Redis acknowledged the SUBSCRIBE. */
  subscribe(onEvent: (event: GpuAlertEvent) => void): Promise<() => void> {
    return this.bus.subscribe(this.channel, onEvent);
  }

  async close(): Promise<void> {
    this.stop?.();
    await this.bus.close();
  }
}
