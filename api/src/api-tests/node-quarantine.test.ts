/**
 * Node quarantine from result verification, on real parts: PostgreSQL, Redis, a real head with
 * the node's worker connected, the api in process with a GraphQL client over HTTP. Wrong results
 * are recorded as they are in production (a real dispatcher completes each task on the node; the
 * verification store samples it, records the disagreeing check and resolves it with the node at
 * fault), and the policy runs after each fault as the Verifier runs it:
 *
 *   faults 1, 2    the score (0.4, 0.32) is above the floor 0.3: not quarantined
 *   fault 3        0.256 < 0.3: quarantined in PostgreSQL and at the head (ListNodes says so),
 *                  with the reason; Node.quarantine shows it
 *   fault 4        already quarantined: nothing more
 *   restoreNode    refused to a provider and a client (FORBIDDEN); an admin's clears both; a
 *                  second restore changes nothing
 *   command line   `neurogrid node quarantine --reason` and `neurogrid node restore` do the same
 *
 * Every process this file starts is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ClusterClient } from "@neurogrid/cluster";
import type { Child } from "../cli/child-process.js";
import { Account, Node, Role } from "../db/entities/index.js";
import { quarantinePolicyOf } from "../nodes/node-quarantine.js";
import { FEATURES, MLP_OUTPUTS, until } from "../testing/dispatcher-fixture.js";
import {
  type FakeDeploymentDispatcher,
  fakeDeploymentDispatcher,
} from "../testing/fake-deployment-dispatcher.js";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";
import { runCli, startHead, startWorker } from "../testing/local-cluster.js";
import { uniquePrefix } from "../testing/test-database.js";
import type { QuarantinePolicy } from "../verification/quarantine.js";
import { ReputationStore } from "../verification/reputation-store.js";
import { VerificationStore } from "../verification/verification-store.js";

const NODE = "quarantine-liar";
const FLOOR = 0.3;
const RESTORE = "mutation($id: ID!) { restoreNode(nodeId: $id) { id quarantine { since reason } } }";
const NODES = "query { nodes(first: 50) { edges { node { id quarantine { since reason } } } } }";

type NodeView = { id: string; quarantine: { since: string; reason: string } | null };

describe("a node whose reputation falls below the floor is quarantined", { timeout: 180_000 }, () => {
  const children: Child[] = [];
  let t: InProcessApi;
  let cluster: ClusterClient;
  let fake: FakeDeploymentDispatcher;
  let store: VerificationStore;
  let policy: QuarantinePolicy;
  let keys: { admin: string; provider: string; client: string };
  let headAddress: string;

  const atHead = async () => (await cluster.listNodes()).find((n) => n.nodeId === NODE)?.quarantine;
  const row = () => t.orm.em.fork().findOneOrFail(Node, NODE);

  before(async () => {
    const head = await startHead();
    children.push(head.child);
    headAddress = head.address;
    children.push(await startWorker(head.address, NODE, ["--cpus", "1", "--actor-pool-size", "0"]));
    const prefix = uniquePrefix("quarantine");
    t = await startInProcessApi({ redisPrefix: prefix, headAddress: head.address });
    cluster = new ClusterClient({ headAddress: head.address });
    const provider = await t.account("quarantine-provider", Role.PROVIDER);
    keys = {
      admin: (await t.account("quarantine-admin", Role.ADMIN)).key,
      provider: provider.key,
      client: (await t.account("quarantine-client", Role.CLIENT)).key,
    };
    const em = t.orm.em.fork();
    em.create(Node, { id: NODE, name: NODE, provider: em.getReference(Account, provider.id) });
    await em.flush();
    fake = fakeDeploymentDispatcher(t.orm, {
      label: "quarantine",
      nodeId: NODE,
      taskTimeoutMs: 10_000,
      prefix,
      call: async <T>() => ({ outputs: MLP_OUTPUTS, executionProvider: "cpu", inferenceMs: 1 }) as T,
    });
    await fake.dispatcher.start();
    store = new VerificationStore({ em: t.orm.em.fork(), events: fake.events, now: () => new Date() });
    policy = quarantinePolicyOf(t.orm, cluster, new ReputationStore(t.orm.em.fork()), FLOOR);
    const funded = await graphqlRequest(
      t.url,
      keys.client,
      `mutation { faucet(amount: "10") { available } }`,
    );
    assert.equal(funded.errors, undefined);
  });

  after(async () => {
    cluster?.close();
    await fake?.close();
    await t?.stop();
    await Promise.all(children.map((child) => child.stop()));
  });

  /** One task the node ran, checked and disputed, resolved with the node at fault. */
  async function oneFault(): Promise<void> {
    const res = await graphqlRequest<{ submitTask: { id: string } }>(
      t.url,
      keys.client,
      `mutation($input: JSONObject!) { submitTask(input: { model: "mlp-classifier", input: $input }) { id } }`,
      { input: FEATURES },
    );
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const id = res.data?.submitTask.id ?? "";
    await until("the task sampled", () => store.sample(id).then((ok) => (ok ? true : undefined)));
    const wrong = { logits: [[0, 0, 1, 0]], probabilities: [[0.1, 0.1, 0.7, 0.1]] };
    await store.checked(id, { agree: false, checkedBy: "check-node", result: wrong, verdict: "differs" });
    const resolved = await store.resolve(id, {
      referee: "referee-node",
      refereeResult: wrong,
      atFault: NODE,
      verdict: `${NODE} disagrees with check-node and referee-node`,
    });
    assert.equal(resolved, true);
  }

  test("above the floor after two faults; quarantined at the third, in PostgreSQL and at the head", async () => {
    for (const fault of [1, 2]) {
      await oneFault();
      const outcome = await policy.afterFault(NODE);
      assert.equal(outcome.quarantined, false, `fault ${fault}: ${JSON.stringify(outcome)}`);
      assert.equal((await row()).quarantinedAt ?? null, null);
      assert.equal(await atHead(), undefined);
    }
    await oneFault();
    const outcome = await policy.afterFault(NODE);
    assert.deepEqual(outcome, {
      quarantined: true,
      reason: "reputation 0.256 < floor 0.3 (3 wrong results, 0 agreed)",
    });
    const quarantined = await row();
    assert.ok(quarantined.quarantinedAt);
    assert.equal(quarantined.quarantineReason, outcome.reason);
    assert.equal((await atHead())?.reason, outcome.reason);

    const listed = await graphqlRequest<{ nodes: { edges: { node: NodeView }[] } }>(t.url, keys.admin, NODES);
    const node = listed.data?.nodes.edges.find((e) => e.node.id === NODE)?.node;
    assert.equal(node?.quarantine?.reason, outcome.reason);
    assert.equal(node?.quarantine?.since, quarantined.quarantinedAt.toISOString());

    await oneFault();
    assert.deepEqual(await policy.afterFault(NODE), { quarantined: false, why: "already quarantined" });
  });

  test("restoreNode: refused to a provider and a client; an admin's clears the database and the head", async () => {
    for (const key of [keys.provider, keys.client]) {
      const denied = await graphqlRequest(t.url, key, RESTORE, { id: NODE });
      assert.equal(errorCode(denied), "FORBIDDEN");
    }
    assert.ok((await row()).quarantinedAt, "still quarantined");
    assert.ok(await atHead());

    const restored = await graphqlRequest<{ restoreNode: NodeView }>(t.url, keys.admin, RESTORE, {
      id: NODE,
    });
    assert.equal(restored.errors, undefined, JSON.stringify(restored.errors));
    assert.deepEqual(restored.data?.restoreNode, { id: NODE, quarantine: null });
    assert.equal((await row()).quarantinedAt, null);
    assert.equal(await atHead(), undefined);

    const again = await graphqlRequest<{ restoreNode: NodeView }>(t.url, keys.admin, RESTORE, { id: NODE });
    assert.deepEqual(
      again.data?.restoreNode,
      { id: NODE, quarantine: null },
      "a second restore changes nothing",
    );
    const missing = await graphqlRequest(t.url, keys.admin, RESTORE, { id: "no-such-node" });
    assert.equal(errorCode(missing), "NOT_FOUND");
  });

  test("`neurogrid node quarantine` and `neurogrid node restore` do the same from the command line", async () => {
    const access = ["--database-url", t.db.url, "--head", headAddress];
    const quarantined = await runCli(["node", "quarantine", NODE, "--reason", "checked by hand", ...access]);
    assert.equal(quarantined.code, 0, quarantined.stderr);
    assert.equal(quarantined.stdout, `node ${NODE} quarantined: checked by hand\n`);
    assert.equal((await atHead())?.reason, "checked by hand");
    assert.equal((await row()).quarantineReason, "checked by hand");

    const restored = await runCli(["node", "restore", NODE, ...access]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(restored.stdout, `node ${NODE} restored: it takes actors again\n`);
    assert.equal(await atHead(), undefined);
    assert.equal((await row()).quarantinedAt, null);
  });
});
