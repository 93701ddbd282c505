import { Migration } from "@mikro-orm/migrations";

/**
 * The model registry: artifacts (ONNX files) stored by content, keyed by their sha256, and the
 * models that use them. A builtin model (built in memory by the actor) has no artifact: its
 * sha256 and size stay null, so every existing row stays valid.
 *
 * Artifacts live in PostgreSQL (bytea) rather than on a local disk: every api replica serves
 * the same bytes without a shared filesystem, a model row and its artifact commit together
 * (no orphan files, no row without bytes), and backups carry both. The registry caps one
 * artifact's size (64 MiB by default); past that an object store is the better home.
 */
export class Migration20261201000000_model_registry extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table model_artifacts (
        sha256 text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
        size_bytes bigint not null check (size_bytes > 0),
        bytes bytea not null,
        created_at timestamptz not null,
        check (octet_length(bytes) = size_bytes)
      );
      alter table models add column sha256 text null references model_artifacts(sha256);
      alter table models add column size_bytes bigint null;
      alter table models add constraint models_artifact_check
        check ((sha256 is null) = (size_bytes is null));
      create index models_sha256_index on models(sha256);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index models_sha256_index;
      alter table models drop constraint models_artifact_check;
      alter table models drop column size_bytes;
      alter table models drop column sha256;
      drop table model_artifacts;
    `);
  }
}
