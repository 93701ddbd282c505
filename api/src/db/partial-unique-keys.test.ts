/**
 * The unique keys on columns most rows leave null (Migration20261206850000_partial_unique_keys),
 * on real PostgreSQL: each still refuses a second row with its value, and any number of rows
 * leave it null, as the constraints did; the index holds only the rows that set it.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { clientAccounts } from "../ledger/accounts.js";
import { holdTasks } from "../ledger/hold-statement.js";
import { type LedgerFixture, ledgerFixture } from "../testing/ledger-fixture.js";

let fx: LedgerFixture;
before(async () => {
  fx = await ledgerFixture(1_000_000n);
});
after(async () => {
  await fx?.close();
});

const run = (sql: string, params: unknown[] = []) => fx.orm.em.getConnection().execute(sql, params);

/** The unique violation's constraint (index) name, or undefined when the insert went through. */
async function refusedBy(insert: Promise<unknown>): Promise<string | undefined> {
  try {
    await insert;
    return undefined;
  } catch (err) {
    const e = err as { code?: string; constraint?: string };
    assert.equal(e.code, "23505", `a unique violation, not ${String(err)}`);
    return e.constraint;
  }
}

const KEYS = [
  { name: "payout", column: "payout_id", kind: "payout", other: "payout_settled", value: randomUUID() },
  {
    name: "chain_signature",
    column: "chain_signature",
    kind: "chain_deposit",
    other: "deposit",
    value: "5igSig",
  },
  {
    name: "withdrawal",
    column: "withdrawal_id",
    kind: "withdrawal",
    other: "withdrawal_settled",
    value: randomUUID(),
  },
  { name: "stake_move", column: "stake_move_id", kind: "stake", other: "unstake", value: randomUUID() },
].map((k) => ({ ...k, index: `ledger_transactions_${k.name}_kind_unique` }));
const TASK_KEY = "tasks_account_id_idempotency_key_key";

test("a ledger transaction's payout, signature, withdrawal and stake move: once per kind; null as often as wanted", async () => {
  const insert = (column: string | undefined, kind: string, value: unknown) =>
    run(
      `insert into ledger_transactions (id, kind, memo, created_at${column ? `, ${column}` : ""})
       values (?, ?, 'test', now()${column ? ", ?" : ""})`,
      column ? [randomUUID(), kind, value] : [randomUUID(), kind],
    );
  for (let i = 0; i < 3; i++) assert.equal(await refusedBy(insert(undefined, "deposit", null)), undefined);
  for (const k of KEYS) {
    assert.equal(await refusedBy(insert(k.column, k.kind, k.value)), undefined, `${k.column}: the first`);
    assert.equal(
      await refusedBy(insert(k.column, k.kind, k.value)),
      k.index,
      `${k.column}: the same kind again is refused`,
    );
    assert.equal(await refusedBy(insert(k.column, k.other, k.value)), undefined, `${k.column}: another kind`);
  }
});

test("a task's idempotency key: once per account; tasks without one, any number", async () => {
  const em = fx.orm.em.fork();
  const accounts = await clientAccounts(em, fx.clientId);
  const hold = (key: string | null) =>
    holdTasks(fx.orm.em.fork(), [
      {
        accountId: fx.clientId,
        accounts,
        now: new Date(),
        modelChecks: [],
        tasks: [
          {
            taskId: randomUUID(),
            modelId: fx.modelId,
            idempotencyKey: key,
            priority: 0,
            input: {},
            pricing: { unit: "call", price: "10", maxUnits: 1 },
            escrow: 10n,
            memo: "test",
          },
        ],
      },
    ]);
  for (let i = 0; i < 3; i++) assert.equal(await refusedBy(hold(null)), undefined);
  assert.equal(await refusedBy(hold("k-1")), undefined);
  assert.equal(await refusedBy(hold("k-1")), TASK_KEY);
});

test("the indexes hold only the rows that set their key", async () => {
  const names = [...KEYS.map((k) => k.index), TASK_KEY];
  const rows = await run(
    "select c.relname as name, pg_get_indexdef(c.oid) as def from pg_class c where c.relname = any(?::text[])",
    [`{${names.join(",")}}`],
  );
  assert.equal(rows.length, 5);
  for (const r of rows as { name: string; def: string }[])
    assert.match(r.def, /WHERE \(\w+ IS NOT NULL\)$/, r.name);
});
