import { Migration } from "@mikro-orm/migrations";

/**
 * Result verification (api/src/verification/verification-lifecycle.ts): one row per task chosen
 * for a check (UNCHECKED again when its check was abandoned), none for a task never chosen. The
 * row keeps the evidence a provider at fault is shown: the task's own result (kept when a
 * dispute replaces it), the checking node's, the referee's, and the verdict. A wrong result is
 * a new kind of node fault, recorded with the task it concerned. The times of its moves let a
 * late subscriber replay them (taskProgress), as a task's own timestamps do.
 */
export class Migration20261206710000_task_verifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table task_verifications (
        task_id uuid primary key references tasks(id),
        status text not null check (status in ('UNCHECKED','SAMPLED','VERIFIED','DISPUTED','RESOLVED')),
        task_result jsonb null,
        checked_by text null,
        check_result jsonb null,
        referee text null,
        referee_result jsonb null,
        at_fault text null,
        verdict text null,
        sampled_at timestamptz not null,
        checked_at timestamptz null,
        resolved_at timestamptz null,
        updated_at timestamptz not null
      );
      create index task_verifications_open_index on task_verifications(updated_at)
        where status in ('SAMPLED','DISPUTED');
      alter table node_faults drop constraint node_faults_kind_check;
      alter table node_faults add constraint node_faults_kind_check
        check (kind in ('invalid_output','wrong_result'));
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      delete from node_faults where kind = 'wrong_result';
      alter table node_faults drop constraint node_faults_kind_check;
      alter table node_faults add constraint node_faults_kind_check check (kind in ('invalid_output'));
      drop table task_verifications;
    `);
  }
}
