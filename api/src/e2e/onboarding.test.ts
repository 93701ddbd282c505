/**
 * Onboarding end to end, on real parts only: PostgreSQL, Redis, a head, two workers (one per
 * provider; one lies on every answer: --fault-injection-rate 1) and an api with its default
 * configuration (onboarding on) as child processes, GraphQL clients over HTTP and graphql-ws.
 * Tasks are submitted as soon as the model is deployed: they wait while its replicas are
 * onboarded, every one completes with the honest answer on the honest node (no paid task reaches
 * the liar), and each provider sees its node's onboarding (PASSED, FAILED) and the liar's fault
 * with the known answer it got wrong.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import type { MikroORM } from "@mikro-orm/postgresql";
import {
  compareResults,
  mlpClassifierManifest,
  mlpClassifierWeights,
  mlpForwardReference,
} from "@neurogrid/cluster/models";
import type { Child } from "../cli/child-process.js";
import { migrate, openOrm } from "../db/orm.js";
import { collectSubscription, graphqlRequest } from "../testing/graphql-clients.js";
import { apiEnv, startApi } from "../testing/local-cluster.js";
import { startLyingCluster } from "../testing/lying-cluster.js";
import { seedProviderNodes } from "../testing/provider-nodes.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";

const LIAR = "onboard-liar";
const HONEST = "onboard-honest";
const TASKS = 8;
const SUBMIT = `mutation($input: SubmitTaskInput!) { submitTask(input: $input) { id } }`;
const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status } }`;
const TASK = `query($id: ID!) { task(id: $id) { status nodeId result } }`;
const NODES = `{ nodes { edges { node { id onboarding { model status at } faults { kind detail knownAnswer { model input expected got } } } } } }`;

type NodeView = {
  id: string;
  onboarding: { model: string; status: string; at: string | null }[];
  faults: {
    kind: string;
    detail: string;
    knownAnswer: { model: string; expected: unknown; got: unknown } | null;
  }[];
};

describe("onboarding, end to end", () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let url: string;
  let clientKey: string;
  const providerKeys = new Map<string, string>();
  const children: Child[] = [];

  before(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    const seeded = await seedProviderNodes(orm, [LIAR, HONEST], { label: "onboard" });
    clientKey = seeded.clientKey;
    for (const [node, provider] of seeded.providers) providerKeys.set(node, provider.key);
    const cluster = await startLyingCluster(db.url, { liar: LIAR, honest: [HONEST] });
    children.push(...cluster.children);
    const api = await startApi(apiEnv(db.url, uniquePrefix("onboard-e2e"), cluster.headAddress));
    children.push(api.child);
    url = api.url;
  });

  after(async () => {
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
  });

  async function nodeOf(provider: string): Promise<NodeView> {
    const res = await graphqlRequest<{ nodes: { edges: { node: NodeView }[] } }>(
      url,
      providerKeys.get(provider),
      NODES,
    );
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const node = res.data?.nodes.edges.find((e) => e.node.id === provider)?.node;
    assert.ok(node, `${provider} sees its node`);
    return node;
  }

  test("a node that lies is kept out by onboarding, an honest one serves every task", async () => {
    const ids = await Promise.all(
      Array.from({ length: TASKS }, async (_, row) => {
        const features = [Array.from({ length: 16 }, (_, i) => Math.sin(row * 16 + i))];
        const res = await graphqlRequest<{ submitTask: { id: string } }>(url, clientKey, SUBMIT, {
          input: { model: "mlp-classifier", input: { features } },
        });
        assert.equal(res.errors, undefined, JSON.stringify(res.errors));
        return { id: res.data?.submitTask.id ?? "", features };
      }),
    );
    for (const { id, features } of ids) {
      const { errors } = await collectSubscription(url, { authorization: `Bearer ${clientKey}` }, PROGRESS, {
        id,
      });
      assert.deepEqual(errors, []);
      const res = await graphqlRequest<{ task: { status: string; nodeId: string; result: unknown } }>(
        url,
        clientKey,
        TASK,
        { id },
      );
      const task = res.data?.task;
      assert.equal(task?.status, "COMPLETED", JSON.stringify(res));
      assert.equal(task?.nodeId, HONEST, "a paid task ran on the node that failed onboarding");
      const honest = mlpForwardReference(mlpClassifierWeights(), features);
      assert.deepEqual(compareResults(mlpClassifierManifest, honest, task?.result), { agree: true });
    }
    const honest = await nodeOf(HONEST);
    assert.deepEqual(
      honest.onboarding.map((o) => [o.model, o.status]),
      [["mlp-classifier@1", "PASSED"]],
    );
    assert.deepEqual(honest.faults, []);
    // The liar's onboarding ran beside the honest one's; wait until it is written.
    let liar = await nodeOf(LIAR);
    while (liar.onboarding.length === 0 || liar.onboarding[0]?.status === "PENDING") {
      await delay(100);
      liar = await nodeOf(LIAR);
    }
    assert.deepEqual(
      liar.onboarding.map((o) => [o.model, o.status]),
      [["mlp-classifier@1", "FAILED"]],
    );
    const [fault] = liar.faults;
    assert.equal(fault?.kind, "onboarding");
    assert.equal(fault?.knownAnswer?.model, "mlp-classifier@1");
    assert.notDeepEqual(fault?.knownAnswer?.got, fault?.knownAnswer?.expected);
  });
});
