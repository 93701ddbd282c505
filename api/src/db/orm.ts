import type { Configuration, LogContext } from "@mikro-orm/core";
import { Migrator } from "@mikro-orm/migrations";
import { MikroORM, PostgreSqlConnection, PostgreSqlDriver } from "@mikro-orm/postgresql";
import { entities } from "./entities/index.js";
import { migrationsList } from "./migrations/index.js";

/**
 * Opens the ORM on a PostgreSQL URL. Entities declare explicit types: no reflection needed.
 *
 * Statements never leave this layer with their values. MikroORM inlines parameters into the SQL
 * it sends, and a failed statement's error message is that SQL (then PostgreSQL's message and
 * detail): a failed insert of an account or an API key put its password hash or key hash into
 * whatever logged the error. Here the message carries the statement with `?` in place of every
 * value, and the detail names the columns without their values ("Key (key_hash)=(…)"). The query
 * log (`onQuery`, tests only) is the `query` namespace alone, never `query-params`: statements
 * without values there too.
 */
export async function openOrm(
  databaseUrl: string,
  opts: { onQuery?: (sql: string) => void } = {},
): Promise<MikroORM> {
  const onQuery = opts.onQuery;
  return MikroORM.init({
    clientUrl: databaseUrl,
    driver: ValuelessDriver,
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

/** PostgreSQL's own error fields that may quote a row's values. */
interface PgErrorFields {
  message: string;
  detail?: string;
}

/**
 * The error of a failed statement with its values taken out: the statement as written (with `?`),
 * and the detail's values replaced by "…".
 */
function withoutValues(err: unknown, statement: string | undefined, formatted: string | undefined): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & PgErrorFields;
  if (statement !== undefined && formatted !== undefined && e.message.startsWith(formatted)) {
    e.message = statement + e.message.slice(formatted.length);
  } else {
    // Not the shape expected: take every quoted literal out of the message.
    e.message = e.message.replace(/E?'(?:[^']|'')*'/g, "?");
  }
  if (typeof e.detail === "string") {
    e.detail = e.detail
      .replace(/\)=\((?:[^()]|\([^()]*\))*\)/g, ")=(…)")
      .replace(/(row contains )\(.*\)/s, "$1(…)");
  }
  return e;
}

class ValuelessConnection extends PostgreSqlConnection {
  protected override async executeQuery<T>(
    query: string,
    cb: () => Promise<T>,
    context?: LogContext,
  ): Promise<T> {
    try {
      return await super.executeQuery(query, cb, context);
    } catch (err) {
      const statement = context?.query;
      const formatted =
        statement === undefined
          ? undefined
          : this.getPlatform().formatQuery(statement, context?.params ?? []);
      throw withoutValues(err, statement, formatted);
    }
  }
}

/** PostgreSQL's driver on a ValuelessConnection (no read replicas are configured here). */
class ValuelessDriver extends PostgreSqlDriver {
  constructor(config: Configuration) {
    super(config);
    (this as unknown as { connection: PostgreSqlConnection }).connection = new ValuelessConnection(
      this.config,
    );
  }
}
