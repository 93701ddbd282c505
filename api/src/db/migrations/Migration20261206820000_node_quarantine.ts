import { Migration } from "@mikro-orm/migrations";

/**
 * Node quarantine (verification/quarantine.ts): nodes.quarantined_at and quarantine_reason are
 * set when result verification drives a node's reputation below the floor, and cleared when an
 * admin restores it (restoreNode). Null: not quarantined.
 */
export class Migration20261206820000_node_quarantine extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table nodes add column quarantined_at timestamptz null, add column quarantine_reason text null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table nodes drop column quarantined_at, drop column quarantine_reason;`);
  }
}
