import { Migration } from "@mikro-orm/migrations";

/**
 * The actor incarnation a task's attempt runs on: tasks.actor_epoch, beside actor_id, is the
 * fencing epoch the head issued that incarnation (null: not known, e.g. tasks written before).
 * The capture moves money only when the answer came from the incarnation the task records
 * (ledger/settle-statement.ts), so an incarnation the cluster has replaced is never charged for.
 */
export class Migration20261206760000_task_actor_epoch extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table tasks add column actor_epoch integer null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table tasks drop column actor_epoch;`);
  }
}
