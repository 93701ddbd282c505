import { Migration } from "@mikro-orm/migrations";

/**
 * Metered pricing: a task keeps the pricing it was submitted under (what the client agreed to
 * and what its escrow was computed from, whatever the model's price becomes later) and the units
 * it was charged for (calls, tokens, milliseconds).
 */
export class Migration20261125020000_metered_pricing extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "alter table tasks add column units bigint null check (units >= 0), add column pricing jsonb null;",
    );
  }

  override async down(): Promise<void> {
    this.addSql("alter table tasks drop column units, drop column pricing;");
  }
}
