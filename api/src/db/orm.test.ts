/**
 * A failed statement's error carries the statement without its values (issue 17: a password hash
 * and an API key hash were seen in the api's log), on real PostgreSQL.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { issueApiKey } from "../identity/api-keys.js";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.js";
import { Account, ApiKey } from "./entities/index.js";
import { migrate, openOrm } from "./orm.js";

let db: TestDatabase;
let orm: MikroORM;
before(async () => {
  db = await createTestDatabase();
  orm = await openOrm(db.url);
  await migrate(orm);
});
after(async () => {
  await orm?.close();
  await db?.drop();
});

/** Everything an error would put in a log line. */
const printed = (err: unknown) => {
  const e = err as Error & Record<string, unknown>;
  return [e.message, e.stack, JSON.stringify({ ...e })].join("\n");
};

test("a failed insert names its columns, never its values (password hash, key hash)", async () => {
  const em = orm.em.fork();
  em.persist(em.create(Account, { name: "dup", role: "client", passwordHash: "scrypt$FIRST-SECRET" }));
  await em.flush();
  const again = orm.em.fork();
  again.persist(again.create(Account, { name: "dup", role: "client", passwordHash: "scrypt$SECOND-SECRET" }));
  const err = await again.flush().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof Error, "the unique name was violated");
  const text = printed(err);
  assert.doesNotMatch(text, /SECRET/);
  assert.doesNotMatch(text, /=\(dup\)/, "the detail names the key without its value");
  assert.match(text, /insert into "accounts"/);
  assert.match(text, /duplicate key/);

  const owner = await orm.em.fork().findOneOrFail(Account, { name: "dup" });
  const emKey = orm.em.fork();
  const { record } = issueApiKey(emKey, emKey.getReference(Account, owner.id), "one");
  await emKey.flush();
  const clash = orm.em.fork();
  clash.persist(
    clash.create(ApiKey, {
      account: clash.getReference(Account, owner.id),
      prefix: "ng_x",
      keyHash: record.keyHash,
      label: "two",
      scopes: [],
    }),
  );
  const keyErr = await clash.flush().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(keyErr instanceof Error);
  assert.ok(!printed(keyErr).includes(record.keyHash), "the key hash appears nowhere");
});

test("a raw statement's error has no values either, NUL bytes included", async () => {
  const err = await orm.em
    .fork()
    .execute("select * from accounts where name = ? and password_hash = ?", ["a\u0000b", "scrypt$RAW-SECRET"])
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.ok(err instanceof Error);
  assert.doesNotMatch(printed(err), /RAW-SECRET/);
  assert.match((err as Error).message, /name = \? and password_hash = \?/);
});
