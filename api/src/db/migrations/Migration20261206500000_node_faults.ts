import { Migration } from "@mikro-orm/migrations";

/**
 * Faults recorded against a node: what its replica did that a provider is not paid for (today:
 * an answer that is not the model's declared output). One row per fault, with the task it
 * concerned; read by node and time.
 */
export class Migration20261206500000_node_faults extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table node_faults (
        id uuid primary key,
        node_id text not null,
        task_id uuid null,
        kind text not null check (kind in ('invalid_output')),
        detail text not null,
        created_at timestamptz not null default now()
      );
      create index node_faults_node_index on node_faults(node_id, created_at desc);
    `);
  }

  override async down(): Promise<void> {
    this.addSql("drop table node_faults;");
  }
}
