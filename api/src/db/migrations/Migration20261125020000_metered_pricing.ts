import { Migration } from "@mikro-orm/migrations";

/** Metered pricing: a task records the units it was charged for (calls, tokens, milliseconds). */
export class Migration20261125020000_metered_pricing extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table tasks add column units bigint null check (units >= 0);");
  }

  override async down(): Promise<void> {
    this.addSql("alter table tasks drop column units;");
  }
}
