/**
 * What ran is what is paid: a per-millisecond model cancelled while RUNNING is charged its time
 * so far (price x min(runtime, maxUnits)), its provider credited; a queued one is refunded whole.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Account, Node } from "../db/entities/index.js";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";

const SUBMIT = `mutation($f: [[Float!]!]!) { submitTask(input: { model: "mlp-classifier", input: { features: $f } }) { id maxPrice } }`;
const CANCEL =
  "mutation($id: ID!) { cancelTask(id: $id) { status error cost { total units platformFee providerEarning } } }";
const f = [Array.from({ length: 16 }, () => 0.5)];

let t: InProcessApi;
let client: { id: string; key: string };
let providerId: string;

before(async () => {
  t = await startInProcessApi({ platformFeeBps: 1000 });
  const em = t.orm.em.fork();
  await em.execute(
    `update models set manifest = jsonb_set(manifest, '{pricing}', '{"unit":"compute_ms","price":"1000","maxUnits":30000}')
      where name = 'mlp-classifier'`,
  );
  const provider = em.create(Account, { name: "meter-provider", role: "provider" });
  em.persist(provider);
  em.persist(em.create(Node, { id: "meter-node", provider }));
  await em.flush();
  providerId = provider.id;
  client = await t.account("metered", "client");
  await graphqlRequest(t.url, client.key, `mutation { faucet(amount: "1") { available } }`);
});
after(async () => {
  await t?.stop();
});

test("a per-millisecond task cancelled while running pays for the time it ran", async () => {
  const submitted = await graphqlRequest<{ submitTask: { id: string; maxPrice: string } }>(
    t.url,
    client.key,
    SUBMIT,
    { f },
  );
  const id = submitted.data?.submitTask.id ?? "";
  assert.equal(submitted.data?.submitTask.maxPrice, "30000000", "escrow = 1000 x 30000 ms");
  await t.orm.em
    .fork()
    .execute(
      "update tasks set status = 'RUNNING', scheduled_at = now(), started_at = now() - interval '250 milliseconds', node_id = 'meter-node' where id = ?",
      [id],
    );
  const before = await balancesOf(t.orm.em.fork(), client.id);
  const res = await graphqlRequest<{
    cancelTask: {
      status: string;
      cost: { total: string; units: string; platformFee: string; providerEarning: string };
    };
  }>(t.url, client.key, CANCEL, { id });
  const cancelled = res.data?.cancelTask;
  assert.ok(cancelled, JSON.stringify(res.errors));
  assert.equal(cancelled.status, "CANCELLED");
  const units = BigInt(cancelled.cost.units);
  assert.ok(units >= 250n && units < 10_000n, `charged ${units} ms`);
  assert.equal(BigInt(cancelled.cost.total), units * 1000n);
  assert.equal(
    BigInt(cancelled.cost.platformFee) + BigInt(cancelled.cost.providerEarning),
    BigInt(cancelled.cost.total),
  );
  const after = await balancesOf(t.orm.em.fork(), client.id);
  assert.equal(after.held, before.held - 30_000_000n, "the escrow is released");
  assert.equal(
    after.available,
    before.available + 30_000_000n - BigInt(cancelled.cost.total),
    "the rest comes back",
  );
  // Credited to the provider's pending account, payable once released (ledger/verification-money.ts).
  assert.equal(
    (await balancesOf(t.orm.em.fork(), providerId)).pending,
    BigInt(cancelled.cost.providerEarning),
  );
  assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
});

test("a queued task is refunded whole", async () => {
  const submitted = await graphqlRequest<{ submitTask: { id: string } }>(t.url, client.key, SUBMIT, { f });
  const res = await graphqlRequest<{ cancelTask: { status: string; cost: { total: string } } }>(
    t.url,
    client.key,
    CANCEL,
    {
      id: submitted.data?.submitTask.id,
    },
  );
  assert.equal(res.data?.cancelTask.status, "CANCELLED");
  assert.equal(res.data?.cancelTask.cost.total, "0");
});
