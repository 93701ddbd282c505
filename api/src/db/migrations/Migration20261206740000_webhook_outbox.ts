import { Migration } from "@mikro-orm/migrations";

/**
 * Alert webhook deliveries survive a restart.
 *
 * alert_webhook_outbox: one row per event and webhook not yet delivered (nor given up on): the
 * signed body's JSON, the next attempt's number and when it is due. Any api process sends the
 * due rows it claims (a lease: claimed_until, so two processes do not send the same attempt, and
 * one that dies while sending leaves the row to another once the lease ends); the row goes when
 * the delivery succeeds, is refused for good or runs out of attempts. Every attempt is still
 * logged in alert_webhook_deliveries.
 */
export class Migration20261206740000_webhook_outbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table alert_webhook_outbox (
        delivery_id uuid primary key,
        webhook_id uuid not null references alert_webhooks(id),
        event text not null,
        alert_id uuid null,
        body text not null,
        attempt integer not null check (attempt >= 1),
        due_at timestamptz not null default now(),
        claimed_until timestamptz null,
        created_at timestamptz not null default now()
      );
      create index alert_webhook_outbox_due_index on alert_webhook_outbox(due_at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql("drop table alert_webhook_outbox;");
  }
}
