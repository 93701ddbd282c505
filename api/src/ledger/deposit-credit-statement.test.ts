/** The chain-deposit statement on a real PostgreSQL: a signature moves money once, whoever races. */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { Account, LedgerAccountKind, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.js";
import { balancesOf, externalAccount } from "./accounts.js";
import { checkLedger } from "./check.js";
import { depositCreditLegs } from "./deposit-credit.js";
import { recordChainTransfer, type TransferRecord } from "./deposit-credit-statement.js";
import { ensureLedgerAccount } from "./ledger.js";

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
});

after(async () => {
  await orm?.close();
  await db?.drop();
});

async function credit(signature: string, amount: bigint, status: TransferRecord["status"] = "CREDITED") {
  const em = orm.em.fork();
  const target = await ensureLedgerAccount(em, LedgerAccountKind.CLIENT_AVAILABLE, clientId);
  const record: TransferRecord = {
    signature,
    slot: 1n,
    status,
    amount,
    accountId: clientId,
    requestId: null,
    sender: null,
    reason: null,
    legs: depositCreditLegs(await externalAccount(em), target, amount),
    memo: `test ${signature}`,
    now: new Date(),
  };
  return recordChainTransfer(orm.em.fork(), record);
}

test("eight statements racing on one signature: one records it, the money moves once", async () => {
  const results = await Promise.all(Array.from({ length: 8 }, () => credit("sig-race", 1_000n)));
  assert.equal(results.filter(Boolean).length, 1);
  assert.equal((await balancesOf(orm.em.fork(), clientId)).available, 1_000n);
});

test("SEEN moves nothing; its finalization moves the money once, even twice at once", async () => {
  assert.equal(await credit("sig-seen", 500n, "SEEN"), true);
  assert.equal(await credit("sig-seen", 500n, "SEEN"), false, "seen already");
  assert.equal((await balancesOf(orm.em.fork(), clientId)).available, 1_000n);
  const [a, b] = await Promise.all([credit("sig-seen", 500n), credit("sig-seen", 500n)]);
  assert.equal(Number(a) + Number(b), 1);
  assert.equal((await balancesOf(orm.em.fork(), clientId)).available, 1_500n);
  assert.equal(await credit("sig-seen", 500n), false, "final stays final");
  assert.equal((await checkLedger(orm.em.fork())).ok, true);
});
