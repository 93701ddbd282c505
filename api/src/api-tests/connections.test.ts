/** Relay connections, filters, DataLoader (constant query count), faucet, deposit, cancelTask. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { balancesOf } from "../ledger/accounts.js";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";

const SUBMIT = `mutation($f: [[Float!]!]!) { submitTask(input: { model: "mlp-classifier", input: { features: $f } }) { id } }`;
const TASKS = `query($first: Int, $after: String, $filter: TaskFilter) {
  tasks(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status model modelVersion maxPrice } } } }`;

interface TasksPage {
  tasks: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { id: string; status: string; model: string } }[];
  };
}

const row = (i: number) => [Array.from({ length: 16 }, (_, j) => (i + j) / 16)];

describe("connections and money mutations", () => {
  let t: InProcessApi;
  let client: { id: string; key: string };
  const ids: string[] = [];

  before(async () => {
    t = await startInProcessApi();
    client = await t.account("pager", "client");
    const faucet = await graphqlRequest(t.url, client.key, `mutation { faucet(amount: "1") { available } }`);
    assert.equal(faucet.errors, undefined, JSON.stringify(faucet.errors));
    for (let i = 0; i < 25; i++) {
      const res = await graphqlRequest<{ submitTask: { id: string } }>(t.url, client.key, SUBMIT, {
        f: row(i),
      });
      ids.push(res.data?.submitTask.id ?? "");
    }
  });
  after(async () => {
    await t?.stop();
  });

  test("tasks page newest first by cursor, with a total count", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res: { data?: TasksPage } = await graphqlRequest<TasksPage>(t.url, client.key, TASKS, {
        first: 10,
        after,
      });
      const page = res.data?.tasks;
      assert.ok(page);
      assert.equal(page.totalCount, 25);
      seen.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...ids].reverse(), "every task once, newest first");
    const bad = await graphqlRequest(t.url, client.key, TASKS, { first: 500 });
    assert.equal(errorCode(bad), "BAD_USER_INPUT");
    const badCursor = await graphqlRequest(t.url, client.key, TASKS, { after: "nonsense" });
    assert.equal(errorCode(badCursor), "BAD_USER_INPUT");
  });

  test("a page of 25 costs the same number of SQL statements as a page of 2 (no N+1)", async () => {
    const count = async (first: number) => {
      t.queries.length = 0;
      const res = await graphqlRequest<TasksPage>(t.url, client.key, TASKS, { first });
      assert.equal(res.data?.tasks.edges.length, first);
      return t.queries.length;
    };
    const small = await count(2);
    const large = await count(25);
    assert.equal(large, small, `statements: ${small} for 2 tasks, ${large} for 25`);
  });

  test("cancelTask refunds a queued task; a second cancel is CONFLICT", async () => {
    const before = await balancesOf(t.orm.em.fork(), client.id);
    const id = ids[0] ?? "";
    const res = await graphqlRequest<{ cancelTask: { status: string; cost: { total: string } } }>(
      t.url,
      client.key,
      `mutation($id: ID!) { cancelTask(id: $id) { status cost { total } } }`,
      { id },
    );
    assert.equal(res.data?.cancelTask.status, "CANCELLED", JSON.stringify(res.errors));
    assert.equal(res.data?.cancelTask.cost.total, "0");
    const after = await balancesOf(t.orm.em.fork(), client.id);
    assert.equal(after.available - before.available, 1_000_000n, "the held price came back");
    assert.equal(before.held - after.held, 1_000_000n);
    const again = await graphqlRequest(
      t.url,
      client.key,
      `mutation($id: ID!) { cancelTask(id: $id) { status } }`,
      { id },
    );
    assert.equal(errorCode(again), "CONFLICT");
    const filtered = await graphqlRequest<TasksPage>(t.url, client.key, TASKS, {
      filter: { status: ["CANCELLED"] },
    });
    assert.deepEqual(
      filtered.data?.tasks.edges.map((e) => e.node.id),
      [id],
    );
  });

  test("ledger entries: a client sees its own, newest first", async () => {
    const res = await graphqlRequest<{
      ledgerEntries: {
        totalCount: number;
        edges: { node: { movement: string; amount: string; accountKind: string } }[];
      };
    }>(
      t.url,
      client.key,
      "{ ledgerEntries(first: 3) { totalCount edges { node { movement amount accountKind } } } }",
    );
    const page = res.data?.ledgerEntries;
    assert.ok(page, JSON.stringify(res.errors));
    // faucet 1 entry + 25 holds x 2 + 1 refund x 2 on the client's own accounts
    assert.equal(page.totalCount, 1 + 50 + 2);
    assert.equal(page.edges[0]?.node.movement, "refund");
    const count = async (filter: Record<string, unknown>) => {
      const r = await graphqlRequest<{
        ledgerEntries: { totalCount: number; edges: { node: { movement: string; accountKind: string } }[] };
      }>(
        t.url,
        client.key,
        "query($f: LedgerEntryFilter) { ledgerEntries(first: 100, filter: $f) { totalCount edges { node { movement accountKind } } } }",
        { f: filter },
      );
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      return r.data?.ledgerEntries;
    };
    const holds = await count({ movement: ["hold"] });
    assert.equal(holds?.totalCount, 50);
    assert.ok(holds?.edges.every((e) => e.node.movement === "hold"));
    const refundsAndDeposits = await count({ movement: ["refund", "deposit"] });
    assert.equal(refundsAndDeposits?.totalCount, 1 + 2);
    const kinds = new Set((await count({}))?.edges.map((e) => e.node.accountKind));
    const [kind] = [...kinds];
    const ofKind = await count({ accountKind: [kind] });
    assert.ok(ofKind?.edges.every((e) => e.node.accountKind === kind));
    assert.ok((ofKind?.totalCount ?? 0) > 0);
  });

  test("deposit is for admins; the faucet has a cap", async () => {
    const admin = await t.account("root", "admin");
    const dep = await graphqlRequest<{ deposit: { available: string } }>(
      t.url,
      admin.key,
      `mutation($id: ID!) { deposit(input: { accountId: $id, amount: "5000000000" }) { available } }`,
      { id: client.id },
    );
    assert.equal(dep.errors, undefined, JSON.stringify(dep.errors));
    const notAdmin = await graphqlRequest(
      t.url,
      client.key,
      `mutation($id: ID!) { deposit(input: { accountId: $id, amount: "1" }) { available } }`,
      { id: client.id },
    );
    assert.equal(errorCode(notAdmin), "FORBIDDEN");
    const float = await graphqlRequest(
      t.url,
      admin.key,
      `mutation($id: ID!, $amount: TokenAmount!) { deposit(input: { accountId: $id, amount: $amount }) { available } }`,
      { id: client.id, amount: "1.5" },
    );
    assert.equal(errorCode(float), "BAD_USER_INPUT", "amounts are integers of the smallest unit");
    const greedy = await graphqlRequest(
      t.url,
      client.key,
      `mutation { faucet(amount: "1000") { available } }`,
    );
    assert.equal(errorCode(greedy), "BAD_USER_INPUT");
  });
});
