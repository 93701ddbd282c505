import { Migrator } from "@mikro-orm/migrations";
import { MikroORM } from "@mikro-orm/postgresql";
import { entities } from "./entities/index.js";
import { migrationsList } from "./migrations/index.js";

/** Opens the ORM on a PostgreSQL URL. Entities declare explicit types: no reflection needed. */
export async function openOrm(
  databaseUrl: string,
  opts: { onQuery?: (sql: string) => void } = {},
): Promise<MikroORM> {
  const onQuery = opts.onQuery;
  return MikroORM.init({
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    // onQuery (tests) sees every SQL statement, to count them.
    ...(onQuery
      ? { debug: ["query" as const], logger: (message: string) => onQuery(message) }
      : { debug: false }),
    allowGlobalContext: false,
    pool: { min: 0, max: 20 },
    migrations: { migrationsList, snapshot: false, transactional: true, allOrNothing: true, silent: true },
  });
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
