/** submitTasks: many tasks in one call, all or nothing, each with its own hold. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";

const PRICE = 1_000_000n;
const SUBMIT_MANY = `mutation($inputs: [SubmitTaskInput!]!) { submitTasks(inputs: $inputs) { id status maxPrice idempotencyKey } }`;
type Submitted = {
  submitTasks: { id: string; status: string; maxPrice: string; idempotencyKey: string | null }[];
};
const input = (i: number, key?: string) => ({
  model: "mlp-classifier",
  input: { features: [Array.from({ length: 16 }, (_, j) => i + j)] },
  ...(key ? { idempotencyKey: key } : {}),
});

let t: InProcessApi;
before(async () => {
  t = await startInProcessApi({ rateLimitBurst: 50, rateLimitPerSecond: 1 });
});
after(async () => {
  await t?.stop();
});

async function client(name: string, amount: string) {
  const c = await t.account(name, "client");
  const res = await graphqlRequest(
    t.url,
    c.key,
    `mutation($a: String!) { faucet(amount: $a) { available } }`,
    {
      a: amount,
    },
  );
  assert.equal(res.errors, undefined);
  return c;
}

async function taskCount(accountId: string): Promise<number> {
  const [row] = await t.orm.em
    .fork()
    .execute<{ n: string }[]>("select count(*) as n from tasks where account_id = ?", [accountId]);
  return Number(row?.n);
}

async function holds(accountId: string): Promise<number> {
  const [row] = await t.orm.em
    .fork()
    .execute<{ n: string }[]>(
      "select count(*) as n from ledger_transactions l join tasks x on x.id = l.task_id where l.kind = 'hold' and x.account_id = ?",
      [accountId],
    );
  return Number(row?.n);
}

test("a batch: every task QUEUED in input order, one hold each, the escrow total held, the ledger balanced", async () => {
  const c = await client("batcher", "0.01");
  const res = await graphqlRequest<Submitted>(t.url, c.key, SUBMIT_MANY, {
    inputs: Array.from({ length: 5 }, (_, i) => input(i)),
  });
  assert.equal(res.errors, undefined);
  const tasks = res.data?.submitTasks ?? [];
  assert.equal(tasks.length, 5);
  assert.equal(new Set(tasks.map((x) => x.id)).size, 5);
  for (const task of tasks) {
    assert.equal(task.status, "QUEUED");
    assert.equal(task.maxPrice, PRICE.toString());
  }
  const jobs = await Promise.all(tasks.map((x) => t.api.services.queue.queue.getJob(x.id)));
  assert.ok(
    jobs.every((j) => j !== undefined),
    "one job per task, its id the task's",
  );
  const balance = await balancesOf(t.orm.em.fork(), c.id);
  assert.equal(balance.held, 5n * PRICE);
  assert.equal(balance.available, 10n * PRICE - 5n * PRICE);
  assert.equal(await holds(c.id), 5);
  assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
});

test("all or nothing: a bad input is BAD_USER_INPUT naming its index, and nothing of the batch is written", async () => {
  const c = await client("careless", "0.01");
  const bad = { model: "mlp-classifier", input: { features: [[1, 2, 3]] } };
  const res = await graphqlRequest<Submitted>(t.url, c.key, SUBMIT_MANY, {
    inputs: [input(0), input(1), bad],
  });
  assert.equal(errorCode(res), "BAD_USER_INPUT");
  assert.match(res.errors?.[0]?.message ?? "", /^inputs\[2\]: /);
  const first = res.errors?.[0] as { extensions?: { index?: number } } | undefined;
  assert.equal(first?.extensions?.index, 2);
  assert.equal(await taskCount(c.id), 0);
  const balance = await balancesOf(t.orm.em.fork(), c.id);
  assert.equal(balance.held, 0n);
  assert.equal(balance.available, 10n * PRICE);
  const unknown = await graphqlRequest(t.url, c.key, SUBMIT_MANY, {
    inputs: [input(0), { model: "no-such-model", input: {} }],
  });
  assert.match(unknown.errors?.[0]?.message ?? "", /^inputs\[1\]: /);
  const twice = await graphqlRequest(t.url, c.key, SUBMIT_MANY, { inputs: [input(0, "k"), input(1, "k")] });
  assert.equal(errorCode(twice), "BAD_USER_INPUT");
  assert.match(
    twice.errors?.[0]?.message ?? "",
    /^inputs\[1\]: idempotencyKey is also the key of inputs\[0\]/,
  );
  assert.equal(await taskCount(c.id), 0);
});

test("INSUFFICIENT_FUNDS when the balance does not cover the batch's total: nothing written", async () => {
  const c = await client("short", "0.003");
  const res = await graphqlRequest<Submitted>(t.url, c.key, SUBMIT_MANY, {
    inputs: Array.from({ length: 4 }, (_, i) => input(i)),
  });
  assert.equal(errorCode(res), "INSUFFICIENT_FUNDS");
  const details = res.errors?.[0]?.extensions as { balance?: string; price?: string } | undefined;
  assert.equal(details?.balance, String(3n * PRICE), "the balance in the error");
  assert.equal(details?.price, String(4n * PRICE));
  assert.equal(await taskCount(c.id), 0);
  const balance = await balancesOf(t.orm.em.fork(), c.id);
  assert.equal(balance.available, 3n * PRICE);
  assert.equal(balance.held, 0n);
  const exact = await graphqlRequest<Submitted>(t.url, c.key, SUBMIT_MANY, {
    inputs: Array.from({ length: 3 }, (_, i) => input(i)),
  });
  assert.equal(exact.errors, undefined, "exactly the balance is enough");
  assert.equal((await balancesOf(t.orm.em.fork(), c.id)).available, 0n);
  assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
});

test("idempotency keys per task: a repeated batch is the same tasks and no new charge; a changed request is CONFLICT", async () => {
  const c = await client("repeater", "0.01");
  const inputs = [input(0, "a"), input(1), input(2, "c")];
  const first = await graphqlRequest<Submitted>(t.url, c.key, SUBMIT_MANY, { inputs });
  assert.equal(first.errors, undefined);
  const again = await graphqlRequest<Submitted>(t.url, c.key, SUBMIT_MANY, { inputs });
  assert.equal(again.errors, undefined);
  const [a1, , c1] = first.data?.submitTasks ?? [];
  const [a2, b2, c2] = again.data?.submitTasks ?? [];
  assert.equal(a2?.id, a1?.id);
  assert.equal(c2?.id, c1?.id);
  assert.notEqual(b2?.id, first.data?.submitTasks[1]?.id, "no key: a new task");
  assert.equal(await taskCount(c.id), 4);
  assert.equal((await balancesOf(t.orm.em.fork(), c.id)).held, 4n * PRICE);
  const single = await graphqlRequest<{ submitTask: { id: string } }>(
    t.url,
    c.key,
    `mutation($f: [[Float!]!]!) { submitTask(input: { model: "mlp-classifier", input: { features: $f }, idempotencyKey: "a" }) { id } }`,
    { f: inputs[0]?.input.features },
  );
  assert.equal(single.data?.submitTask.id, a1?.id, "one key, one task, whichever mutation");
  const changed = await graphqlRequest(t.url, c.key, SUBMIT_MANY, { inputs: [input(5), input(9, "c")] });
  assert.equal(errorCode(changed), "CONFLICT");
  assert.match(changed.errors?.[0]?.message ?? "", /^inputs\[1\]: /);
  assert.equal(await taskCount(c.id), 4, "the refused batch wrote nothing");
  assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
});

test("rate limiting counts the tasks, and the size is bounded", async () => {
  const c = await client("greedy", "1");
  // The bucket holds 50 tokens (refilled at 1/s): a batch of 60 can never pass.
  const res = await graphqlRequest(t.url, c.key, SUBMIT_MANY, {
    inputs: Array.from({ length: 60 }, (_, i) => input(i)),
  });
  assert.equal(errorCode(res), "RATE_LIMITED");
  assert.equal(await taskCount(c.id), 0);
  const ok = await graphqlRequest<Submitted>(t.url, c.key, SUBMIT_MANY, {
    inputs: Array.from({ length: 40 }, (_, i) => input(i)),
  });
  assert.equal(ok.errors, undefined);
  const next = await graphqlRequest(t.url, c.key, SUBMIT_MANY, {
    inputs: Array.from({ length: 20 }, (_, i) => input(i)),
  });
  assert.equal(errorCode(next), "RATE_LIMITED", "40 of 50 tokens spent: 20 more tasks wait");
  const tooMany = await graphqlRequest(t.url, c.key, SUBMIT_MANY, {
    inputs: Array.from({ length: 1001 }, () => ({ model: "mlp-classifier", input: {} })),
  });
  assert.equal(errorCode(tooMany), "BAD_USER_INPUT");
});
