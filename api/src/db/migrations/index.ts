import type { MigrationObject } from "@mikro-orm/core";
import { Migration20261125000000_foundation } from "./Migration20261125000000_foundation.js";

/** Every migration, in order (static imports, so compiled `node dist/...` finds them). */
export const migrationsList: MigrationObject[] = [
  { name: "Migration20261125000000_foundation", class: Migration20261125000000_foundation },
];
