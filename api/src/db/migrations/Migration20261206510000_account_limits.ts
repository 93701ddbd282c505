import { Migration } from "@mikro-orm/migrations";

/** Per-account limits an admin sets: today the highest task priority the account may use. */
export class Migration20261206510000_account_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table account_limits (
        account_id uuid primary key references accounts(id) on delete cascade,
        max_priority integer not null check (max_priority between 0 and 999),
        updated_at timestamptz not null default now()
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql("drop table account_limits;");
  }
}
