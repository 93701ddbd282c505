/**
 * The credential cache on real PostgreSQL and Redis: two caches on one prefix stand for two api
 * processes. A cached key costs no query; revoking it through the ORM in one process stops it
 * in both before the revoking flush returns.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { Account, ApiKey, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { createRedisConnections, type RedisConnections } from "../infra/redis-connections.js";
import {
  createTestDatabase,
  type TestDatabase,
  testRedisUrl,
  uniquePrefix,
} from "../testing/test-database.js";
import { issueApiKey } from "./api-keys.js";
import { CredentialCache } from "./credential-cache.js";

let db: TestDatabase;
let ormA: MikroORM;
let ormB: MikroORM;
const queriesB: string[] = [];
let a: CredentialCache;
let b: CredentialCache;
let redisA: RedisConnections;
let redisB: RedisConnections;

before(async () => {
  db = await createTestDatabase();
  ormA = await openOrm(db.url);
  await migrate(ormA);
  ormB = await openOrm(db.url, { onQuery: (sql) => void (sql.includes("[query]") && queriesB.push(sql)) });
  const redisPrefix = uniquePrefix("creds");
  redisA = createRedisConnections({ redisUrl: testRedisUrl(), redisPrefix });
  redisB = createRedisConnections({ redisUrl: testRedisUrl(), redisPrefix });
  a = new CredentialCache({ connections: redisA });
  b = new CredentialCache({ connections: redisB });
  await Promise.all([a.start(), b.start()]);
  ormA.em.getEventManager().registerSubscriber(a.revocationSubscriber());
});

after(async () => {
  await a?.close();
  await b?.close();
  await redisA?.close();
  await redisB?.close();
  await ormA?.close();
  await ormB?.close();
  await db?.drop();
});

test("a cached key costs no query; a key revoked in one process stops working in the other", async () => {
  const em = ormA.em.fork();
  const account = em.create(Account, { name: "cached", role: Role.CLIENT });
  const issued = issueApiKey(em, account, "k", ["tasks:read"]);
  await em.persist(account).flush();

  const first = await b.apiKey(ormB.em.fork(), issued.key);
  assert.equal(first?.account.id, account.id);
  assert.deepEqual(first?.scopes, ["tasks:read"]);
  queriesB.length = 0;
  const second = await b.apiKey(ormB.em.fork(), issued.key);
  assert.equal(second?.account.role, "client");
  assert.equal(second?.account.entity().name, "cached");
  assert.equal(queriesB.length, 0, `cached: ${queriesB.join("; ")}`);
  assert.ok(await a.apiKey(ormA.em.fork(), issued.key), "A has it cached too");

  // Revoke in process A, as the revokeApiKey mutation does (load, set revokedAt, flush).
  const revokeEm = ormA.em.fork();
  const key = await revokeEm.findOneOrFail(ApiKey, issued.record.id);
  key.revokedAt = new Date();
  await revokeEm.flush();

  assert.equal(await a.apiKey(ormA.em.fork(), issued.key), null, "revoked where it was revoked");
  // The publish was acknowledged before the flush returned; give B's socket a moment to read it.
  let inB: unknown = "still cached";
  for (let i = 0; i < 50 && inB !== null; i++) {
    inB = await b.apiKey(ormB.em.fork(), issued.key);
    if (inB !== null) await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(inB, null, "revoked in the other process too");
});

test("an access token's account is cached and merged into each request's EntityManager", async () => {
  const em = ormA.em.fork();
  const account = em.create(Account, { name: "jwt-user", role: Role.PROVIDER });
  await em.persist(account).flush();
  assert.equal((await b.account(ormB.em.fork(), account.id))?.entity().name, "jwt-user");
  queriesB.length = 0;
  const requestEm = ormB.em.fork();
  const cached = await b.account(requestEm, account.id);
  assert.equal(cached?.role, "provider");
  assert.equal(queriesB.length, 0);
  // The entity belongs to the request's unit of work: using it as a relation inserts no account.
  const entity = cached?.entity() as Account;
  assert.equal(cached?.entity(), entity, "merged once");
  issueApiKey(requestEm, entity, "made with a cached account");
  await requestEm.flush();
  assert.equal(await ormA.em.fork().count(ApiKey, { account: account.id }), 1);
  assert.equal(await b.account(ormB.em.fork(), "00000000-0000-0000-0000-000000000000"), null);
});

test("an access id revoked in one process is refused by the other at once, and on a fresh start", async () => {
  const family = `fam-${Date.now()}`;
  assert.equal(await b.accessRevoked(["some-jti", family]), false);
  await a.revokeFamily(family);
  // The revoking process has it at once; the other once the announcement arrives (no round trip
  // per check after that), and a process started later loads the list from Redis.
  assert.equal(await a.accessRevoked(["some-jti", family]), true);
  for (let i = 0; i < 100 && !(await b.accessRevoked([family])); i++)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal(await b.accessRevoked([family]), true);
  const later = new CredentialCache({ connections: redisB });
  await later.start();
  try {
    assert.equal(await later.accessRevoked([undefined, family]), true);
    assert.equal(await later.accessRevoked(["another-jti"]), false);
  } finally {
    await later.close();
  }
});
