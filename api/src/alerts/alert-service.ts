import type { MikroORM } from "@mikro-orm/postgresql";
import type { ClusterWatch } from "../cluster-events/cluster-watch.js";
import { RedisChannel } from "../tasks/redis-channel.js";
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
  readonly channel: RedisChannel<GpuAlertEvent>;
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
    this.channel = new RedisChannel<GpuAlertEvent>(redisUrl, `${prefix}:gpu-alerts`);
  }

  start(): void {
    this.stop = this.watch.listen((event) => {
      if (event.kind !== "telemetry") return;
      const changes = this.engine.evaluate(event.nodeId, event.telemetry.gpus, event.atMs);
      for (const change of changes) {
        void recordAlertChange(this.orm, change)
          .then((row) => (row ? this.channel.publish({ change: change.change, alert: row }) : undefined))
          .catch((err) => this.log("gpu alerts: recording failed", err));
      }
    });
  }

  async close(): Promise<void> {
    this.stop?.();
    await this.channel.close();
  }
}
