import { Migration } from "@mikro-orm/migrations";

/**
 * Known-answer checks of nodes (api/src/verification/node-checks.ts): one row per canary a node
 * answered and per onboarding of a (node, model) pair, with the evidence: the input, the answer
 * the platform computed from the model's own reference, and the node's. A wrong answer is a node
 * fault of the check's kind, linked to its check (`check_id`) so the fault shows the evidence.
 * The newest onboarding row of a (node, model) pair is its onboarding state.
 */
export class Migration20261206830000_node_checks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table node_checks (
        id uuid primary key,
        node_id text not null,
        model_id uuid not null references models(id),
        kind text not null check (kind in ('canary','onboarding')),
        passed boolean not null,
        detail text not null,
        input jsonb not null,
        expected jsonb not null,
        got jsonb not null,
        created_at timestamptz not null default now()
      );
      create index node_checks_node_index on node_checks(node_id, created_at);
      create index node_checks_onboarding_index on node_checks(node_id, model_id, created_at desc)
        where kind = 'onboarding';
      alter table node_faults add column check_id uuid null references node_checks(id);
      alter table node_faults drop constraint node_faults_kind_check;
      alter table node_faults add constraint node_faults_kind_check
        check (kind in ('invalid_output','wrong_result','canary','onboarding'));
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      delete from node_faults where kind in ('canary','onboarding');
      alter table node_faults drop constraint node_faults_kind_check;
      alter table node_faults add constraint node_faults_kind_check
        check (kind in ('invalid_output','wrong_result'));
      alter table node_faults drop column check_id;
      drop table node_checks;
    `);
  }
}
