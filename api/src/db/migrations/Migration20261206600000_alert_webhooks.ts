import { Migration } from "@mikro-orm/migrations";

/**
 * Alert notifications to webhooks.
 *
 * alert_webhooks: the URLs an admin configured; each change of a GPU alert is POSTed to every
 * one not removed, signed with its secret (HMAC-SHA256, alerts/webhook-signature.ts). The secret
 * is kept as it is, since signing needs it; it is shown to the admin once, at creation.
 *
 * alert_webhook_deliveries: every attempt to deliver one event to one webhook (retries are
 * further rows with the same delivery_id): the answer's status or the error, and how long it took.
 */
export class Migration20261206600000_alert_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table alert_webhooks (
        id uuid primary key,
        url text not null check (length(url) <= 2048),
        secret text not null,
        created_at timestamptz not null default now(),
        created_by uuid null references accounts(id),
        removed_at timestamptz null
      );
      create table alert_webhook_deliveries (
        id bigserial primary key,
        webhook_id uuid not null references alert_webhooks(id),
        delivery_id uuid not null,
        event text not null,
        alert_id uuid null,
        attempt integer not null check (attempt >= 1),
        ok boolean not null,
        status_code integer null,
        error text null,
        duration_ms integer not null,
        at timestamptz not null default now()
      );
      create index alert_webhook_deliveries_webhook_index on alert_webhook_deliveries(webhook_id, at desc);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table alert_webhook_deliveries;
      drop table alert_webhooks;
    `);
  }
}
