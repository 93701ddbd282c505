import type { EntityManager } from "@mikro-orm/postgresql";
import type { ClientBase, QueryConfig } from "pg";

/**
 * Runs one SQL statement as a NAMED PREPARED STATEMENT with bind parameters ($1, $2, ...) on a
 * pooled pg client, for the few statements every task runs (the hold, the start, the capture).
 *
 * Why: `em.execute` / `em.getConnection().execute` interpolate the values into the SQL text
 * (knex), so PostgreSQL parses and plans every call again and the api spends its CPU building
 * and escaping that text. A named statement is parsed once per pooled connection (pg keeps it
 * by `name`) and its values travel as binds.
 *
 * Meaning is that of `em.getConnection().execute(sql, params)`:
 * - the statement runs alone, in its own implicit transaction, on a connection of MikroORM's
 *   (knex's) pool, never inside the `em`'s transaction (as before; none of the callers runs in
 *   one); a `set_config(..., true)` in it lasts for that implicit transaction only;
 * - errors are pg's own (e.g. `code` 23505 for a unique violation), as knex passed them on;
 * - the statement is logged through MikroORM's query logger (tests count statements there).
 *
 * Rules for callers: `text` must be a constant for its `name` (pg refuses one name with two
 * texts on a connection), so nothing is ever interpolated into it; and give every parameter an
 * explicit cast ($1::uuid, $2::bigint, $3::jsonb, ...) where its context does not fix its type:
 * an untyped parameter in a SELECT list is resolved as text.
 */
export async function runPrepared<T extends object>(
  em: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const connection = em.getConnection();
  await connection.ensureConnection();
  const knexClient = connection.getKnex().client as {
    acquireConnection(): Promise<ClientBase>;
    releaseConnection(c: ClientBase): Promise<void>;
  };
  // executeQuery is MikroORM's logging wrapper around a query (protected in its typings).
  const logged = connection as unknown as {
    executeQuery<R>(
      query: string,
      cb: () => Promise<R>,
      context?: { query: string; params: unknown[] },
    ): Promise<R>;
  };
  return logged.executeQuery(
    text,
    async () => {
      const client = await knexClient.acquireConnection();
      try {
        const query: QueryConfig = { name, text, values };
        const res = await client.query(query);
        return res.rows as T[];
      } finally {
        await knexClient.releaseConnection(client);
      }
    },
    { query: text, params: values },
  );
}
