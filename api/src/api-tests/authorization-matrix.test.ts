/**
 * The authorisation matrix: every caller kind against every query, mutation and subscription
 * of the schema. A field added to the schema without a row here fails the test, so the matrix
 * cannot fall behind. "allow" means the answer carries no UNAUTHENTICATED or FORBIDDEN error
 * (it may still carry a business error, e.g. INSUFFICIENT_FUNDS); otherwise the exact code.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { buildApiSchema } from "../graphql/build-schema.js";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";

type CallerKind = "anonymous" | "client" | "otherClient" | "provider" | "admin";
type Outcome = "allow" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND";
const CALLERS: CallerKind[] = ["anonymous", "client", "otherClient", "provider", "admin"];

interface Row {
  field: string;
  op: "query" | "mutation" | "subscription";
  doc: string;
  vars?: (ids: Ids, caller: CallerKind) => Record<string, unknown>;
  expect: Record<CallerKind, Outcome>;
}

interface Ids {
  taskId: string;
  keyId: string;
  clientId: string;
}

const A = "allow";
const U = "UNAUTHENTICATED";
const F = "FORBIDDEN";
const N = "NOT_FOUND";
const features = [Array.from({ length: 16 }, () => 0.5)];

const MATRIX: Row[] = [
  {
    field: "me",
    op: "query",
    doc: "{ me { id } }",
    expect: { anonymous: U, client: A, otherClient: A, provider: A, admin: A },
  },
  {
    field: "models",
    op: "query",
    doc: "{ models { edges { node { name } } } }",
    expect: { anonymous: A, client: A, otherClient: A, provider: A, admin: A },
  },
  {
    field: "task",
    op: "query",
    doc: "query($id: ID!) { task(id: $id) { id } }",
    vars: (ids) => ({ id: ids.taskId }),
    expect: { anonymous: U, client: A, otherClient: N, provider: F, admin: A },
  },
  {
    field: "tasks",
    op: "query",
    doc: "{ tasks { totalCount } }",
    expect: { anonymous: U, client: A, otherClient: A, provider: F, admin: A },
  },
  {
    field: "apiKeys",
    op: "query",
    doc: "{ apiKeys { totalCount } }",
    expect: { anonymous: U, client: A, otherClient: A, provider: A, admin: A },
  },
  {
    field: "nodes",
    op: "query",
    doc: "{ nodes { totalCount } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: A, admin: A },
  },
  {
    field: "ledgerEntries",
    op: "query",
    doc: "{ ledgerEntries { totalCount } }",
    expect: { anonymous: U, client: A, otherClient: A, provider: A, admin: A },
  },
  {
    field: "platformLedger",
    op: "query",
    doc: "{ platformLedger { balanced totals { kind balance } } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "register",
    op: "mutation",
    doc: 'mutation($n: String!) { register(input: { name: $n, password: "long enough" }) { accessToken } }',
    vars: (_ids, caller) => ({ n: `signup-${caller}` }),
    expect: { anonymous: A, client: A, otherClient: A, provider: A, admin: A },
  },
  {
    field: "login",
    op: "mutation",
    doc: 'mutation($n: String!) { login(input: { login: $n, password: "long enough" }) { accessToken } }',
    vars: (_ids, caller) => ({ n: `signup-${caller}` }),
    expect: { anonymous: A, client: A, otherClient: A, provider: A, admin: A },
  },
  {
    field: "refreshToken",
    op: "mutation",
    doc: 'mutation { refreshToken(token: "ngr_not-a-token") { accessToken } }',
    expect: { anonymous: U, client: U, otherClient: U, provider: U, admin: U },
  },
  {
    field: "logout",
    op: "mutation",
    doc: 'mutation { logout(refreshToken: "ngr_x") }',
    expect: { anonymous: A, client: A, otherClient: A, provider: A, admin: A },
  },
  {
    field: "submitTask",
    op: "mutation",
    doc: 'mutation($f: [[Float!]!]!) { submitTask(input: { model: "mlp-classifier", input: { features: $f } }) { id } }',
    vars: () => ({ f: features }),
    expect: { anonymous: U, client: A, otherClient: A, provider: F, admin: A },
  },
  {
    field: "submitTasks",
    op: "mutation",
    doc: 'mutation($f: [[Float!]!]!) { submitTasks(inputs: [{ model: "mlp-classifier", input: { features: $f } }]) { id } }',
    vars: () => ({ f: features }),
    expect: { anonymous: U, client: A, otherClient: A, provider: F, admin: A },
  },
  {
    field: "cancelTask",
    op: "mutation",
    doc: "mutation($id: ID!) { cancelTask(id: $id) { id } }",
    vars: (ids) => ({ id: ids.taskId }),
    expect: { anonymous: U, client: A, otherClient: N, provider: F, admin: A },
  },
  {
    field: "createApiKey",
    op: "mutation",
    doc: "mutation { createApiKey { key } }",
    expect: { anonymous: U, client: A, otherClient: A, provider: A, admin: A },
  },
  {
    field: "revokeApiKey",
    op: "mutation",
    doc: "mutation($id: ID!) { revokeApiKey(id: $id) { id } }",
    vars: (ids) => ({ id: ids.keyId }),
    expect: { anonymous: U, client: A, otherClient: N, provider: N, admin: A },
  },
  {
    field: "registerNode",
    op: "mutation",
    doc: 'mutation { registerNode(input: { name: "m" }) { nodeToken } }',
    expect: { anonymous: U, client: F, otherClient: F, provider: A, admin: A },
  },
  {
    field: "revokeNode",
    op: "mutation",
    doc: 'mutation { revokeNode(nodeId: "no-such-node") { id } }',
    // Admins only; the admin's call reaches the resolver, which finds no such node.
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: N },
  },
  {
    field: "restoreNode",
    op: "mutation",
    doc: 'mutation { restoreNode(nodeId: "no-such-node") { id } }',
    // Admins only; the admin's call reaches the resolver, which finds no such node.
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: N },
  },
  {
    field: "registerModel",
    op: "mutation",
    doc: 'mutation { registerModel(input: { manifest: {}, artifactBase64: "AA==" }) { sha256 } }',
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "deposit",
    op: "mutation",
    doc: 'mutation($id: ID!) { deposit(input: { accountId: $id, amount: "1" }) { available } }',
    vars: (ids) => ({ id: ids.clientId }),
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "setAccountMaxPriority",
    op: "mutation",
    doc: "mutation($id: ID!) { setAccountMaxPriority(accountId: $id, maxPriority: 20) }",
    vars: (ids) => ({ id: ids.clientId }),
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "faucet",
    op: "mutation",
    doc: 'mutation { faucet(amount: "1") { available } }',
    expect: { anonymous: U, client: A, otherClient: A, provider: F, admin: A },
  },
  {
    field: "walletChallenge",
    op: "mutation",
    doc: 'mutation { walletChallenge(address: "11111111111111111111111111111111") { nonce } }',
    expect: { anonymous: U, client: A, otherClient: A, provider: A, admin: A },
  },
  {
    field: "linkWallet",
    op: "mutation",
    doc: 'mutation { linkWallet(message: "not a sign-in message", signature: "x") { address } }',
    expect: { anonymous: U, client: A, otherClient: A, provider: A, admin: A },
  },
  {
    field: "wallet",
    op: "query",
    doc: "{ wallet { address } }",
    expect: { anonymous: U, client: A, otherClient: A, provider: A, admin: A },
  },
  {
    field: "payouts",
    op: "query",
    doc: "{ payouts { totalCount } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: A, admin: A },
  },
  {
    field: "depositRequest",
    op: "mutation",
    doc: 'mutation { depositRequest(amount: "1000") { reference } }',
    expect: { anonymous: U, client: A, otherClient: A, provider: F, admin: A },
  },
  {
    field: "depositStatus",
    op: "subscription",
    doc: 'subscription { depositStatus(reference: "11111111111111111111111111111111") { status } }',
    expect: { anonymous: U, client: A, otherClient: A, provider: F, admin: A },
  },
  {
    field: "unmatchedDeposits",
    op: "query",
    doc: "{ unmatchedDeposits { signature } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "runDepositWatch",
    op: "mutation",
    doc: "mutation { runDepositWatch { ran } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "withdraw",
    op: "mutation",
    doc: 'mutation { withdraw(amount: "1000") { id } }',
    expect: { anonymous: U, client: A, otherClient: A, provider: F, admin: A },
  },
  {
    field: "withdrawals",
    op: "query",
    doc: "{ withdrawals { id } }",
    expect: { anonymous: U, client: A, otherClient: A, provider: F, admin: A },
  },
  {
    field: "stake",
    op: "query",
    doc: "{ stake { staked cooling } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: A, admin: A },
  },
  {
    field: "stakeEarnings",
    op: "mutation",
    doc: 'mutation { stakeEarnings(amount: "1000") { staked } }',
    expect: { anonymous: U, client: F, otherClient: F, provider: A, admin: A },
  },
  {
    field: "unstake",
    op: "mutation",
    doc: 'mutation { unstake(amount: "1000") { staked } }',
    expect: { anonymous: U, client: F, otherClient: F, provider: A, admin: A },
  },
  {
    field: "runPayouts",
    op: "mutation",
    doc: "mutation { runPayouts { ran } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "payoutStatus",
    op: "subscription",
    doc: "subscription { payoutStatus { payoutId status } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: A, admin: A },
  },
  {
    field: "nodeStatus",
    op: "subscription",
    doc: "subscription { nodeStatus { nodeId type } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: A, admin: A },
  },
  {
    field: "clusterEvents",
    op: "subscription",
    doc: "subscription { clusterEvents { kind type } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "alerts",
    op: "query",
    doc: "{ alerts { id metric level } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: A, admin: A },
  },
  {
    field: "clusterOverview",
    op: "query",
    doc: "{ clusterOverview { nodes { nodeId } queue { waiting } } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "alertThresholds",
    op: "query",
    doc: "{ alertThresholds { nodeId metric warning } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "setAlertThreshold",
    op: "mutation",
    doc: 'mutation { setAlertThreshold(input: { nodeId: "no-such-node", metric: "temperature", warning: 70, critical: 85 }) { nodeId } }',
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "removeAlertThreshold",
    op: "mutation",
    doc: 'mutation { removeAlertThreshold(input: { nodeId: "no-such-node", metric: "temperature" }) }',
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "alertWebhooks",
    op: "query",
    doc: "{ alertWebhooks { id url } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "alertWebhookDeliveries",
    op: "query",
    doc: "{ alertWebhookDeliveries(limit: 5) { deliveryId ok } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "alertWebhookRetries",
    op: "query",
    doc: "{ alertWebhookRetries { deliveryId nextAttempt dueAt } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "addAlertWebhook",
    op: "mutation",
    doc: 'mutation { addAlertWebhook(input: { url: "http://127.0.0.1:9/alerts" }) { webhook { id } } }',
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "removeAlertWebhook",
    op: "mutation",
    doc: 'mutation { removeAlertWebhook(id: "00000000-0000-4000-8000-000000000000") }',
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "acknowledgeAlert",
    op: "mutation",
    doc: 'mutation { acknowledgeAlert(id: "00000000-0000-4000-8000-000000000000") { id } }',
    expect: { anonymous: U, client: F, otherClient: F, provider: N, admin: N },
  },
  {
    field: "gpuMetrics",
    op: "query",
    doc: '{ gpuMetrics(nodeId: "no-such-node", gpu: 0, from: "2026-01-01T00:00:00Z") { at } }',
    expect: { anonymous: U, client: F, otherClient: F, provider: N, admin: N },
  },
  {
    field: "gpuTelemetry",
    op: "subscription",
    doc: "subscription { gpuTelemetry { nodeId gpus { index } } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: A, admin: A },
  },
  {
    field: "gpuAlerts",
    op: "subscription",
    doc: "subscription { gpuAlerts { change alert { id } } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: A, admin: A },
  },
  {
    field: "accounts",
    op: "query",
    doc: '{ accounts(search: "client") { totalCount edges { node { name balance { available } } } } }',
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "moneyNeedingAttention",
    op: "query",
    doc: "{ moneyNeedingAttention { kind id reason } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: F, admin: A },
  },
  {
    field: "providerWorkloads",
    op: "query",
    doc: "{ providerWorkloads { nodeIds actors { name } deployments { name aliveOnYourNodes } } }",
    expect: { anonymous: U, client: F, otherClient: F, provider: A, admin: A },
  },
  {
    field: "taskProgress",
    op: "subscription",
    doc: "subscription($id: ID!) { taskProgress(taskId: $id) { status } }",
    vars: (ids) => ({ id: ids.taskId }),
    expect: { anonymous: U, client: A, otherClient: N, provider: F, admin: A },
  },
];

/**
 * The first result of a subscription: its first event, or its error code; a subscription that
 * is still open and quiet after a moment was accepted (nothing has happened to report yet).
 */
function firstResult(
  url: string,
  credential: string | undefined,
  query: string,
  variables: Record<string, unknown>,
) {
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: credential ? { authorization: `Bearer ${credential}` } : {},
    retryAttempts: 0,
  });
  return new Promise<{ errors?: { extensions?: { code?: string } }[] }>((resolve) => {
    const timer = setTimeout(() => done({}), 2_000);
    const done = (value: { errors?: { extensions?: { code?: string } }[] }) => {
      clearTimeout(timer);
      void client.dispose();
      resolve(value);
    };
    client.subscribe(
      { query, variables },
      {
        next: (value) => done(value as never),
        error: (err) => done({ errors: Array.isArray(err) ? err : [{ extensions: { code: String(err) } }] }),
        complete: () => done({}),
      },
    );
  });
}

function outcomeOf(res: { errors?: { extensions?: { code?: string } }[] }): string {
  const code = errorCode(res as never);
  if (code === U || code === F || code === N) return code;
  return A;
}

describe("authorisation matrix", () => {
  let t: InProcessApi;
  const creds: Partial<Record<CallerKind, string>> = {};
  let ids: Ids;

  before(async () => {
    t = await startInProcessApi();
    const client = await t.account("owner", "client");
    creds.client = client.key;
    creds.otherClient = (await t.account("stranger", "client")).key;
    creds.provider = (await t.account("provider", "provider")).key;
    creds.admin = (await t.account("admin", "admin")).key;
    await graphqlRequest(t.url, client.key, `mutation { faucet(amount: "1") { available } }`);
    const task = await graphqlRequest<{ submitTask: { id: string } }>(
      t.url,
      client.key,
      MATRIX.find((r) => r.field === "submitTask")?.doc ?? "",
      { f: features },
    );
    const key = await graphqlRequest<{ createApiKey: { apiKey: { id: string } } }>(
      t.url,
      client.key,
      "mutation { createApiKey { apiKey { id } } }",
    );
    ids = {
      taskId: task.data?.submitTask.id ?? "",
      keyId: key.data?.createApiKey.apiKey.id ?? "",
      clientId: client.id,
    };
    assert.ok(ids.taskId && ids.keyId);
  });
  after(async () => {
    await t?.stop();
  });

  test("every operation of the schema has a row", async () => {
    const schema = await buildApiSchema();
    const fields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap(
      (type) => Object.keys(type?.getFields() ?? {}),
    );
    assert.deepEqual(MATRIX.map((r) => r.field).sort(), fields.sort());
  });

  for (const row of MATRIX) {
    test(`${row.op} ${row.field}`, async () => {
      const got: Record<string, string> = {};
      for (const caller of CALLERS) {
        const vars = row.vars?.(ids, caller) ?? {};
        const res =
          row.op === "subscription"
            ? await firstResult(t.url, creds[caller], row.doc, vars)
            : await graphqlRequest(t.url, creds[caller], row.doc, vars);
        got[caller] = outcomeOf(res);
      }
      assert.deepEqual(got, row.expect);
    });
  }

  test("an admin finds an account by part of its name, with the balances its owner sees", async () => {
    const me = await graphqlRequest<{ me: { id: string; balance: Record<string, string> } }>(
      t.url,
      creds.client,
      "{ me { id balance { available held earnings } } }",
    );
    const found = await graphqlRequest<{
      accounts: {
        totalCount: number;
        edges: { node: { id: string; name: string; balance: Record<string, string> } }[];
      };
    }>(
      t.url,
      creds.admin,
      '{ accounts(search: "WNE") { totalCount edges { node { id name balance { available held earnings } } } } }',
    );
    assert.equal(found.errors, undefined, JSON.stringify(found.errors));
    assert.equal(found.data?.accounts.totalCount, 1);
    const node = found.data?.accounts.edges[0]?.node;
    assert.equal(node?.name, "owner");
    assert.equal(node?.id, me.data?.me.id);
    assert.deepEqual(node?.balance, me.data?.me.balance);
    const none = await graphqlRequest<{ accounts: { totalCount: number } }>(
      t.url,
      creds.admin,
      '{ accounts(search: "100%") { totalCount } }',
    );
    assert.equal(none.data?.accounts.totalCount, 0, "% is a character, not a wildcard");
  });

  test("a client's lists hold only its own things", async () => {
    const res = await graphqlRequest<{ tasks: { totalCount: number } }>(
      t.url,
      creds.otherClient,
      "{ tasks { totalCount } }",
    );
    assert.equal(res.data?.tasks.totalCount, 0, "none of the owner's tasks (its own submit had no funds)");
    const all = await graphqlRequest<{ tasks: { totalCount: number } }>(
      t.url,
      creds.admin,
      "{ tasks { totalCount } }",
    );
    assert.equal(
      all.data?.tasks.totalCount,
      3,
      "the admin sees everyone's: the owner's three tasks (submitTask twice, submitTasks once)",
    );
  });
});
