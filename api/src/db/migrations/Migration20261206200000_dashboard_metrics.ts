import { Migration } from "@mikro-orm/migrations";

/**
 * The dashboard's history and acknowledgements.
 *
 * gpu_metrics: GPU telemetry samples in the shape of the seeds' gpu_metrics (temperature,
 * utilisation, memory used/total, power draw/limit, fan), one row per node, GPU, resolution and
 * time. `resolution_s` 1 holds the samples as they came (one per second at most) for an hour;
 * 60 holds their per-minute averages for 30 days (gpu-metrics/gpu-metrics-store.ts). The key makes
 * a sample recorded by several api processes one row.
 *
 * gpu_alerts gains who acknowledged an alert, and when.
 *
 * alert_thresholds: an admin's warning and critical thresholds for one node's GPUs (gpu_index
 * -1: every GPU of the node) or one GPU, over the defaults (alerts/thresholds.ts).
 */
export class Migration20261206200000_dashboard_metrics extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table gpu_metrics (
        node_id text not null,
        gpu_index integer not null,
        resolution_s integer not null check (resolution_s in (1, 60)),
        at timestamptz not null,
        temperature_c real null,
        utilization_pct real null,
        memory_used_mb real null,
        memory_total_mb real null,
        power_draw_w real null,
        power_limit_w real null,
        fan_pct real null,
        primary key (node_id, gpu_index, resolution_s, at)
      );
      create index gpu_metrics_prune_index on gpu_metrics(resolution_s, at);
      alter table gpu_alerts
        add column acknowledged_at timestamptz null,
        add column acknowledged_by uuid null references accounts(id);
      create table alert_thresholds (
        node_id text not null,
        gpu_index integer not null default -1 check (gpu_index >= -1),
        metric text not null check (metric in ('temperature', 'memory', 'power')),
        warning double precision not null,
        critical double precision not null,
        updated_at timestamptz not null default now(),
        updated_by uuid null references accounts(id),
        primary key (node_id, gpu_index, metric),
        check (warning < critical)
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table alert_thresholds;
      alter table gpu_alerts drop column acknowledged_at, drop column acknowledged_by;
      drop table gpu_metrics;
    `);
  }
}
