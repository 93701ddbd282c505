import { Migration } from "@mikro-orm/migrations";

/**
 * Model artifacts are stored uncompressed out of line (STORAGE EXTERNAL), so that a slice of one
 * (`substring(bytes from … for …)`, how GET /models/:sha256 streams it: registry/artifact-routes.ts)
 * reads only that slice's pages instead of decompressing the whole file for every slice. ONNX
 * weights barely compress anyway. Applies to rows written from now on; older ones stream as
 * before, only more slowly.
 */
export class Migration20261206300000_artifact_storage extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table model_artifacts alter column bytes set storage external");
  }

  override async down(): Promise<void> {
    this.addSql("alter table model_artifacts alter column bytes set storage extended");
  }
}
