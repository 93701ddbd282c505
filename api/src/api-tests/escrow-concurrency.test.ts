/** Many concurrent submissions from one client whose balance covers only some of them. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";

const PRICE = 1_000_000n;
const SUBMIT = `mutation($f: [[Float!]!]!) { submitTask(input: { model: "mlp-classifier", input: { features: $f } }) { id } }`;

let t: InProcessApi;
before(async () => {
  t = await startInProcessApi({ rateLimitBurst: 1000 });
});
after(async () => {
  await t?.stop();
});

test("the balance never goes negative; exactly the covered submissions succeed, the rest get INSUFFICIENT_FUNDS", async () => {
  const client = await t.account("thrifty", "client");
  const faucet = await graphqlRequest(
    t.url,
    client.key,
    `mutation { faucet(amount: "0.007") { available } }`,
  );
  assert.equal(faucet.errors, undefined);
  const results = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      graphqlRequest<{ submitTask: { id: string } }>(t.url, client.key, SUBMIT, {
        f: [Array.from({ length: 16 }, (_, j) => i + j)],
      }),
    ),
  );
  const codes = results.map((r) => errorCode(r) ?? "OK");
  assert.equal(codes.filter((c) => c === "OK").length, 7, codes.join(","));
  assert.equal(codes.filter((c) => c === "INSUFFICIENT_FUNDS").length, 23, codes.join(","));
  const balance = await balancesOf(t.orm.em.fork(), client.id);
  assert.equal(balance.available, 0n);
  assert.equal(balance.held, 7n * PRICE);
  const [tasks] = await t.orm.em
    .fork()
    .execute<{ n: string }[]>("select count(*) as n from tasks where account_id = ?", [client.id]);
  assert.equal(Number(tasks?.n), 7, "no task row for a refused submission");
  assert.equal((await checkLedger(t.orm.em.fork())).ok, true);
});
