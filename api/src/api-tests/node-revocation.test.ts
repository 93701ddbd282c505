/**
 * Revoking a provider's node, through the admin's `revokeNode` mutation and through
 * `neurogrid node revoke`, against a real head (per-node tokens) with real workers connected:
 * the node is DEAD at the head at once, its row says when it was revoked, and its token no
 * longer registers a worker. Every process this file starts is stopped by its PID in `after`.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ClusterClient } from "@neurogrid/cluster";
import { signNodeToken } from "@neurogrid/schema";
import type { Child } from "../cli/child-process.js";
import { Account, Node, Role } from "../db/entities/index.js";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi, TEST_NODE_TOKEN_SECRET } from "../testing/in-process-api.js";
import { runCli, startHead, startWorker } from "../testing/local-cluster.js";

const REVOKE = "mutation($id: ID!) { revokeNode(nodeId: $id) { id state revokedAt } }";

describe("revoking a node", { timeout: 180_000 }, () => {
  const children: Child[] = [];
  let t: InProcessApi;
  let cluster: ClusterClient;
  let headAddress: string;
  let adminKey: string;
  let providerKey: string;

  const token = (nodeId: string) => signNodeToken(TEST_NODE_TOKEN_SECRET, nodeId);
  const stateAtHead = async (nodeId: string) =>
    (await cluster.listNodes()).find((n) => n.nodeId === nodeId)?.state;

  before(async () => {
    const head = await startHead(["--node-token-secret", TEST_NODE_TOKEN_SECRET]);
    children.push(head.child);
    headAddress = head.address;
    t = await startInProcessApi({ headAddress });
    cluster = new ClusterClient({ headAddress });
    adminKey = (await t.account("revoke-admin", Role.ADMIN)).key;
    const provider = await t.account("revoke-provider", Role.PROVIDER);
    providerKey = provider.key;
    const em = t.orm.em.fork();
    for (const id of ["revoke-gql", "revoke-cli"]) {
      em.create(Node, { id, name: id, provider: em.getReference(Account, provider.id) });
      children.push(
        await startWorker(headAddress, id, ["--node-token", token(id), "--actor-pool-size", "0"]),
      );
    }
    await em.flush();
  });

  after(async () => {
    cluster?.close();
    await t?.stop();
    await Promise.all(children.map((child) => child.stop()));
  });

  test("an admin revokes a connected node: DEAD at the head at once, revokedAt recorded", async () => {
    assert.equal(await stateAtHead("revoke-gql"), "ALIVE");
    const denied = await graphqlRequest(t.url, providerKey, REVOKE, { id: "revoke-gql" });
    assert.equal(errorCode(denied), "FORBIDDEN", "a provider cannot revoke, not even its own node");
    assert.equal(await stateAtHead("revoke-gql"), "ALIVE");

    const res = await graphqlRequest<{ revokeNode: { id: string; state: string; revokedAt: string } }>(
      t.url,
      adminKey,
      REVOKE,
      { id: "revoke-gql" },
    );
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.equal(res.data?.revokeNode.state, "DEAD");
    assert.equal(await stateAtHead("revoke-gql"), "DEAD");
    const row = await t.orm.em.fork().findOneOrFail(Node, "revoke-gql");
    assert.equal(row.revokedAt?.toISOString(), res.data?.revokeNode.revokedAt);

    // The node's token, unexpired, registers no worker as that node any more.
    const again = await runCli([
      "worker",
      ...["--head", headAddress, "--node-id", "revoke-gql", "--node-token", token("revoke-gql")],
      ...["--port", "0", "--actor-pool-size", "0"],
    ]);
    assert.notEqual(again.code, 0, again.stdout);
    assert.match(again.stderr, /this node was revoked/);
  });

  test("`neurogrid node revoke` does the same from the command line", async () => {
    assert.equal(await stateAtHead("revoke-cli"), "ALIVE");
    const out = await runCli([
      "node",
      "revoke",
      "revoke-cli",
      "--database-url",
      t.db.url,
      "--head",
      headAddress,
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, "node revoke-cli revoked (it was alive; it is DEAD now)\n");
    assert.equal(await stateAtHead("revoke-cli"), "DEAD");
    assert.ok((await t.orm.em.fork().findOneOrFail(Node, "revoke-cli")).revokedAt);

    const unknown = await runCli([
      "node",
      "revoke",
      "no-such-node",
      "--database-url",
      t.db.url,
      "--head",
      headAddress,
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /node no-such-node not found/);
  });
});
