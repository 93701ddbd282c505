import { Migration } from "@mikro-orm/migrations";

/**
 * GPU alerts: one row per alert (node, GPU, metric, level, value, threshold, started, resolved).
 * At most one open alert per node, GPU and metric (a partial unique index), so every api process
 * can evaluate the same telemetry and only one of them records each change.
 */
export class Migration20261202000000_gpu_alerts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table gpu_alerts (
        id uuid primary key,
        node_id text not null,
        gpu_index integer not null,
        gpu_uuid text not null,
        metric text not null check (metric in ('temperature', 'memory', 'power')),
        level text not null check (level in ('warning', 'critical')),
        value double precision not null,
        threshold double precision not null,
        started_at timestamptz not null,
        resolved_at timestamptz null
      );
      create unique index gpu_alerts_one_open on gpu_alerts(node_id, gpu_index, metric) where resolved_at is null;
      create index gpu_alerts_started_at_index on gpu_alerts(started_at desc, id desc);
    `);
  }

  override async down(): Promise<void> {
    this.addSql("drop table gpu_alerts;");
  }
}
