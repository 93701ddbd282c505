/**
 * Young tables (young-tables.ts): a statement planned while its table was small is planned again
 * once the table has grown and the process reported it — on real PostgreSQL — and the analyses
 * come at each doubling only, up to the last.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.js";
import { openOrm } from "./orm.js";
import { YoungTables } from "./young-tables.js";

let db: TestDatabase;
let orm: MikroORM;
before(async () => {
  db = await createTestDatabase();
  orm = await openOrm(db.url);
});
after(async () => {
  await orm?.close();
  await db?.drop();
});

test("a plan made while the table was small is made again from its size once it has grown", async () => {
  const em = orm.em.fork();
  await em.execute("create table young_probe (id uuid primary key, payload text not null)");
  const insert = (n: number) =>
    em.execute(
      `insert into young_probe select gen_random_uuid(), repeat('x', 200) from generate_series(1, ${n})`,
    );
  await insert(20);
  // Analyzed while small, as autovacuum's first visit to a young table leaves it (a table never
  // analyzed is taken to be ten pages: the capture's plan scans even that whole).
  await em.execute("analyze young_probe");
  // One pooled connection, as the task store's prepared statements are: the generic plan is
  // made at once here (PostgreSQL makes it after five runs) and kept while the table grows.
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query("set plan_cache_mode = force_generic_plan");
    await client.query("prepare find(uuid[]) as select payload from young_probe where id = any($1)");
    const plan = async () => {
      const rows = await client.query<{ "QUERY PLAN": string }>("explain execute find('{}')");
      return rows.rows.map((r) => r["QUERY PLAN"]).join("\n");
    };
    assert.match(await plan(), /Seq Scan on young_probe/);

    await insert(20_000);
    assert.match(await plan(), /Seq Scan on young_probe/, "the small table's plan is kept as it grows");

    const young = new YoungTables(em, { tables: ["young_probe"], first: 16, last: 1 << 20 });
    young.wrote(20_020);
    await young.idle();
    assert.match(await plan(), /Index Scan|Bitmap Index Scan/);
    assert.doesNotMatch(await plan(), /Seq Scan/);
  } finally {
    await client.end();
  }
});

test("an analysis at each doubling of the rows written, from the first to the last, failures logged", async () => {
  const statements: string[] = [];
  let fail = false;
  const em = {
    getConnection: () => ({
      execute: async (sql: string) => {
        statements.push(sql);
        if (fail) throw new Error("permission denied");
      },
    }),
  } as unknown as EntityManager;
  const logged: string[] = [];
  const young = new YoungTables(em, {
    tables: ["tasks", "ledger_entries"],
    first: 100,
    last: 800,
    log: (m) => logged.push(m),
  });
  young.wrote(99);
  await young.idle();
  assert.deepEqual(statements, [], "nothing before the first");
  young.wrote(1); // 100
  young.wrote(150); // 250: past 200 at once, one analysis
  young.wrote(10); // 260: below 400
  await young.idle();
  assert.deepEqual(statements, ["analyze tasks, ledger_entries", "analyze tasks, ledger_entries"]);
  fail = true;
  young.wrote(200); // 460
  await young.idle();
  assert.equal(statements.length, 3);
  assert.equal(logged.length, 1);
  assert.match(logged[0] ?? "", /analyzing tasks, ledger_entries: Error: permission denied/);
  fail = false;
  young.wrote(400); // 860: past 800
  young.wrote(10_000); // beyond the last: never again
  await young.idle();
  assert.equal(statements.length, 4);
});
