/** Priority is the queue's order for everyone: above the default cap only what an admin allows. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";

const SUBMIT = `mutation($p: Int!) { submitTask(input: { model: "mlp-classifier", priority: $p, input: { features: [[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]] } }) { id priority } }`;
const SET = `mutation($id: ID!, $p: Int!) { setAccountMaxPriority(accountId: $id, maxPriority: $p) }`;

let t: InProcessApi;
before(async () => {
  t = await startInProcessApi({});
});
after(async () => {
  await t?.stop();
});

test("a client may use priorities up to the default cap; above it FORBIDDEN, until an admin raises its cap", async () => {
  const client = await t.account("eager", "client");
  const admin = await t.account("boss", "admin");
  const funded = await graphqlRequest(t.url, client.key, `mutation { faucet(amount: "1") { available } }`);
  assert.equal(funded.errors, undefined);
  const tasksBefore = async () =>
    Number(
      (
        await t.orm.em
          .fork()
          .execute<{ n: string }[]>("select count(*) as n from tasks where account_id = ?", [client.id])
      )[0]?.n,
    );
  assert.equal(
    (await graphqlRequest(t.url, client.key, SUBMIT, { p: 10 })).errors,
    undefined,
    "the default cap",
  );
  const written = await tasksBefore();
  const refused = await graphqlRequest(t.url, client.key, SUBMIT, { p: 500 });
  assert.equal(errorCode(refused), "FORBIDDEN");
  assert.match(refused.errors?.[0]?.message ?? "", /above this account's cap of 10/);
  assert.equal(await tasksBefore(), written, "nothing written, nothing held");
  const set = await graphqlRequest<{ setAccountMaxPriority: number }>(t.url, admin.key, SET, {
    id: client.id,
    p: 500,
  });
  assert.equal(set.data?.setAccountMaxPriority, 500);
  const now = await graphqlRequest<{ submitTask: { priority: number } }>(t.url, client.key, SUBMIT, {
    p: 500,
  });
  assert.equal(now.data?.submitTask.priority, 500);
  assert.equal(errorCode(await graphqlRequest(t.url, client.key, SUBMIT, { p: 501 })), "FORBIDDEN");
});
