import { Migration } from "@mikro-orm/migrations";

/**
 * Auth: password logins (scrypt hashes), refresh tokens in families (rotation and reuse
 * detection), API key scopes, provider-registered nodes with their node token hashes, and a
 * task's cancellation request.
 */
export class Migration20261125010000_auth extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table accounts add column email text null unique, add column password_hash text null;
      alter table api_keys add column scopes jsonb not null default '[]', add column last_used_at timestamptz null;
      create table refresh_tokens (
        id uuid primary key,
        account_id uuid not null references accounts(id) on delete cascade,
        family_id uuid not null,
        token_hash text not null unique,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        used_at timestamptz null,
        revoked_at timestamptz null
      );
      create index refresh_tokens_family_id_index on refresh_tokens(family_id);
      alter table nodes add column name text not null default '', add column token_hash text null,
        add column revoked_at timestamptz null;
      create index nodes_provider_id_index on nodes(provider_id);
      create index tasks_account_id_created_at_index on tasks(account_id, created_at desc, id desc);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index tasks_account_id_created_at_index; drop index nodes_provider_id_index;
      alter table nodes drop column name, drop column token_hash, drop column revoked_at;
      drop table refresh_tokens;
      alter table api_keys drop column scopes, drop column last_used_at;
      alter table accounts drop column email, drop column password_hash;
    `);
  }
}
