/** The ledger on a real PostgreSQL: what the database itself refuses. */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { Account, LedgerTxKind, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.js";
import { clientAccounts, externalAccount } from "./accounts.js";
import { checkLedger } from "./check.js";
import { deposit } from "./deposit.js";
import { post } from "./ledger.js";

let db: TestDatabase;
let orm: MikroORM;
let clientId: string;

before(async () => {
  db = await createTestDatabase();
  orm = await openOrm(db.url);
  await migrate(orm);
  const em = orm.em.fork();
  const client = em.create(Account, { name: "c", role: Role.CLIENT });
  await em.persist(client).flush();
  clientId = client.id;
  await deposit(orm.em.fork(), clientId, 500n, "test");
});

after(async () => {
  await orm?.close();
  await db?.drop();
});

test("a deposit moves money from external and the ledger checks out", async () => {
  const result = await checkLedger(orm.em.fork());
  assert.equal(result.ok, true);
  assert.equal(result.total, 0n);
});

test("the database refuses a transaction whose entries do not sum to zero", async () => {
  const em = orm.em.fork();
  const accounts = await clientAccounts(em, clientId);
  await assert.rejects(
    em.transactional(async (tx) => {
      const txId = await post(tx, {
        kind: LedgerTxKind.DEPOSIT,
        legs: [
          { accountId: await externalAccount(tx), amount: -10n },
          { accountId: accounts.available, amount: 10n },
        ],
      });
      await tx.execute(
        "insert into ledger_entries (transaction_id, account_id, amount, created_at) values (?, ?, 1, now())",
        [txId, accounts.available],
      );
    }),
    /does not balance/,
  );
  assert.equal((await checkLedger(orm.em.fork())).ok, true, "nothing of it was kept");
});

test("a client balance can never go negative", async () => {
  const em = orm.em.fork();
  const accounts = await clientAccounts(em, clientId);
  await assert.rejects(
    em.transactional(async (tx) =>
      post(tx, {
        kind: LedgerTxKind.DEPOSIT,
        legs: [
          { accountId: accounts.available, amount: -10_000n },
          { accountId: await externalAccount(tx), amount: 10_000n },
        ],
      }),
    ),
    /check constraint/,
  );
});

test("a stored balance that drifts from its entries is caught by the check", async () => {
  const em = orm.em.fork();
  const accounts = await clientAccounts(em, clientId);
  await em.execute("update ledger_accounts set balance = balance + 1 where id = ?", [accounts.available]);
  const result = await checkLedger(orm.em.fork());
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.mismatchedAccounts.map((a) => a.accountId),
    [accounts.available],
  );
  await em.execute("update ledger_accounts set balance = balance - 1 where id = ?", [accounts.available]);
});

test("an entry must name a ledger transaction and a ledger account that exist; the statement is refused whole", async () => {
  const em = orm.em.fork();
  const accounts = await clientAccounts(em, clientId);
  const txId = await em.transactional((tx) =>
    post(tx, {
      kind: LedgerTxKind.DEPOSIT,
      legs: [
        { accountId: accounts.held, amount: 0n },
        { accountId: accounts.available, amount: 0n },
      ],
    }),
  );
  const missing = "00000000-0000-4000-8000-000000000001";
  const insert = (rows: [string, string, number][]) =>
    orm.em.fork().execute(
      `insert into ledger_entries (transaction_id, account_id, amount, created_at)
         select t, a, n, now() from unnest(?::uuid[], ?::uuid[], ?::bigint[]) as v(t, a, n)`,
      [`{${rows.map((r) => r[0])}}`, `{${rows.map((r) => r[1])}}`, `{${rows.map((r) => r[2])}}`],
    );
  const before = await checkLedger(orm.em.fork());
  await assert.rejects(
    insert([
      [txId, accounts.available, 5],
      [missing, accounts.held, -5],
    ]),
    (err: { code?: string; message?: string }) =>
      err.code === "23503" && /transaction .* does not exist/.test(err.message ?? ""),
  );
  await assert.rejects(
    insert([
      [txId, accounts.available, 5],
      [txId, missing, -5],
    ]),
    (err: { code?: string; message?: string }) =>
      err.code === "23503" && /account .* does not exist/.test(err.message ?? ""),
  );
  const after = await checkLedger(orm.em.fork());
  assert.equal(after.ok, true);
  assert.equal(after.entries, before.entries, "no entry of either statement was kept");
});

test("ledger entries are never changed or deleted; ledger transactions and accounts never deleted, nor their ids changed", async () => {
  const em = orm.em.fork();
  const accounts = await clientAccounts(em, clientId);
  const refused = (err: { code?: string }) => err.code === "23001";
  await assert.rejects(em.execute("delete from ledger_transactions"), refused);
  await assert.rejects(em.execute("update ledger_entries set account_id = ?", [accounts.held]), refused);
  await assert.rejects(em.execute("delete from ledger_entries"), refused);
  await assert.rejects(em.execute("delete from ledger_accounts where id = ?", [accounts.held]), refused);
  await assert.rejects(
    em.execute("update ledger_accounts set id = gen_random_uuid() where id = ?", [accounts.held]),
    refused,
  );
  await assert.rejects(em.execute("update ledger_transactions set id = gen_random_uuid()"), refused);
  await assert.rejects(em.execute("truncate ledger_entries, ledger_transactions, ledger_accounts"), refused);
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});
