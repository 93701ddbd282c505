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
