/** Sign-up, login, refresh rotation with reuse detection, API keys with scopes: over real HTTP. */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { verifyNodeToken } from "@neurogrid/schema";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi, TEST_NODE_TOKEN_SECRET } from "../testing/in-process-api.js";

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) {
  accessToken refreshToken accessTokenExpiresAt account { id name role } } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }`;
const REFRESH = `mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }`;
const ME = "{ me { name role balance { available } } }";

interface Session {
  accessToken: string;
  refreshToken: string;
}

describe("auth", () => {
  let t: InProcessApi;
  before(async () => {
    t = await startInProcessApi();
  });
  after(async () => {
    await t?.stop();
  });

  test("register, log in, and call with the access token", async () => {
    const reg = await graphqlRequest<{ register: Session & { account: { role: string } } }>(
      t.url,
      undefined,
      REGISTER,
      {
        input: { name: "ada", email: "ada@example.com", password: "correct horse", role: "client" },
      },
    );
    assert.equal(reg.errors, undefined, JSON.stringify(reg.errors));
    assert.equal(reg.data?.register.account.role, "client");
    const login = await graphqlRequest<{ login: Session }>(t.url, undefined, LOGIN, {
      input: { login: "ADA@example.com", password: "correct horse" },
    });
    const token = login.data?.login.accessToken;
    assert.ok(token, JSON.stringify(login.errors));
    const me = await graphqlRequest<{ me: { name: string } }>(t.url, token, ME);
    assert.equal(me.data?.me.name, "ada");
  });

  test("bad sign-ups and logins get typed errors", async () => {
    const short = await graphqlRequest(t.url, undefined, REGISTER, {
      input: { name: "bob", password: "short" },
    });
    assert.equal(errorCode(short), "BAD_USER_INPUT");
    const dup = await graphqlRequest(t.url, undefined, REGISTER, {
      input: { name: "ada", password: "long enough pw" },
    });
    assert.equal(errorCode(dup), "CONFLICT");
    const admin = await graphqlRequest(t.url, undefined, REGISTER, {
      input: { name: "mallory", password: "long enough pw", role: "admin" },
    });
    assert.equal(errorCode(admin), "BAD_USER_INPUT", "nobody signs up as admin");
    const wrong = await graphqlRequest(t.url, undefined, LOGIN, {
      input: { login: "ada", password: "wrong password" },
    });
    assert.equal(errorCode(wrong), "UNAUTHENTICATED");
    const nobody = await graphqlRequest(t.url, undefined, LOGIN, {
      input: { login: "nobody", password: "whatever1" },
    });
    assert.equal(errorCode(nobody), "UNAUTHENTICATED");
    const garbage = await graphqlRequest(t.url, "a.b.c", ME);
    assert.equal(errorCode(garbage), "UNAUTHENTICATED");
  });

  test("refresh tokens rotate, and a reused one revokes its whole family", async () => {
    const first = await graphqlRequest<{ login: Session }>(t.url, undefined, LOGIN, {
      input: { login: "ada", password: "correct horse" },
    });
    const r1 = first.data?.login.refreshToken ?? "";
    const second = await graphqlRequest<{ refreshToken: Session }>(t.url, undefined, REFRESH, { t: r1 });
    const r2 = second.data?.refreshToken.refreshToken ?? "";
    assert.ok(r2 && r2 !== r1, "a new refresh token");
    const reuse = await graphqlRequest(t.url, undefined, REFRESH, { t: r1 });
    assert.equal(errorCode(reuse), "UNAUTHENTICATED");
    assert.match(reuse.errors?.[0]?.message ?? "", /reuse/);
    const afterReuse = await graphqlRequest(t.url, undefined, REFRESH, { t: r2 });
    assert.equal(errorCode(afterReuse), "UNAUTHENTICATED", "the successor was revoked too");
  });

  test("API keys: shown once, scoped, revocable", async () => {
    const client = await t.account("key-owner", "client");
    const created = await graphqlRequest<{
      createApiKey: { key: string; apiKey: { id: string; prefix: string } };
    }>(
      t.url,
      client.key,
      `mutation { createApiKey(input: { label: "read only", scopes: ["tasks:read"] }) { key apiKey { id prefix scopes } } }`,
    );
    const made = created.data?.createApiKey;
    assert.ok(made, JSON.stringify(created.errors));
    assert.ok(made.key.startsWith(made.apiKey.prefix));
    const listed = await graphqlRequest<{ apiKeys: { edges: { node: Record<string, unknown> }[] } }>(
      t.url,
      client.key,
      "{ apiKeys { totalCount edges { node { id prefix label scopes } } } }",
    );
    assert.equal(listed.data?.apiKeys.edges.length, 2);
    assert.ok(!JSON.stringify(listed.data).includes(made.key), "the key itself is never listed");
    const submit = await graphqlRequest(
      t.url,
      made.key,
      `mutation { submitTask(input: { model: "mlp-classifier", input: { features: [[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]] } }) { id } }`,
    );
    assert.equal(errorCode(submit), "FORBIDDEN", "a read-only key cannot submit");
    const tooWide = await graphqlRequest(t.url, made.key, `mutation { createApiKey { key } }`);
    assert.equal(errorCode(tooWide), "FORBIDDEN", "a key without keys:manage cannot make keys");
    const badScope = await graphqlRequest(
      t.url,
      client.key,
      `mutation { createApiKey(input: { scopes: ["nodes:write"] }) { key } }`,
    );
    assert.equal(errorCode(badScope), "BAD_USER_INPUT", "a client cannot grant provider scopes");
    const revoked = await graphqlRequest(
      t.url,
      client.key,
      `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`,
      {
        id: made.apiKey.id,
      },
    );
    assert.ok((revoked.data as { revokeApiKey: { revokedAt: string } })?.revokeApiKey.revokedAt);
    const afterRevoke = await graphqlRequest(t.url, made.key, "{ tasks { totalCount } }");
    assert.equal(errorCode(afterRevoke), "UNAUTHENTICATED");
  });

  test("registerNode gives a provider a node token bound to the new node's id", async () => {
    const provider = await t.account("gpu-owner", "provider");
    const res = await graphqlRequest<{
      registerNode: { node: { id: string; state: string }; nodeToken: string };
    }>(
      t.url,
      provider.key,
      `mutation { registerNode(input: { name: "box1" }) { nodeToken node { id name state providerId } } }`,
    );
    const reg = res.data?.registerNode;
    assert.ok(reg, JSON.stringify(res.errors));
    assert.equal(verifyNodeToken(TEST_NODE_TOKEN_SECRET, reg.nodeToken), reg.node.id);
    assert.equal(reg.node.state, "OFFLINE");
    const nodes = await graphqlRequest<{ nodes: { totalCount: number } }>(
      t.url,
      provider.key,
      "{ nodes { totalCount } }",
    );
    assert.equal(nodes.data?.nodes.totalCount, 1);
    const count = async (filter: Record<string, unknown>) => {
      const r = await graphqlRequest<{ nodes: { totalCount: number; edges: { node: { name: string } }[] } }>(
        t.url,
        provider.key,
        "query($f: NodeFilter) { nodes(filter: $f) { totalCount edges { node { name } } } }",
        { f: filter },
      );
      return r;
    };
    // No head knows box1 (the in-process api has no worker): it is OFFLINE, not ALIVE.
    assert.equal((await count({ state: ["OFFLINE"] })).data?.nodes.totalCount, 1);
    assert.equal((await count({ state: ["ALIVE", "DEAD"] })).data?.nodes.totalCount, 0);
    assert.equal((await count({ name: "box1" })).data?.nodes.edges[0]?.node.name, "box1");
    assert.equal((await count({ name: "box2" })).data?.nodes.totalCount, 0);
    assert.equal(errorCode(await count({ providerId: provider.id })), "FORBIDDEN", "admins only");
  });

  test("a subscription socket closes with 4401 when its access token expires", async () => {
    const { JwtIssuer } = await import("../identity/jwt.js");
    const { TEST_JWT_SECRET } = await import("../testing/in-process-api.js");
    const client = await t.account("short-lived", "client");
    // Expires in 2 s: whether it is still valid at connection_init (then the server closes the
    // socket when it expires) or already expired (then it closes at once), the close is 4401.
    const token = (await new JwtIssuer(TEST_JWT_SECRET, 2).sign(client.id, "client")).token;
    const { createClient } = await import("graphql-ws");
    const WebSocket = (await import("ws")).default;
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      const ws = createClient({
        url: t.url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => {},
        on: { closed: (e) => resolve(e as { code: number; reason: string }) },
      });
      void ws;
    });
    assert.equal(closed.code, 4401);
    assert.match(closed.reason, /expired/);
  });

  test("a subscription socket with a bad credential is closed with 4401 at once", async () => {
    const { createClient } = await import("graphql-ws");
    const WebSocket = (await import("ws")).default;
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      createClient({
        url: t.url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: "Bearer ng_not-a-key" },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => {},
        on: { closed: (e) => resolve(e as { code: number; reason: string }) },
      });
    });
    assert.equal(closed.code, 4401);
    assert.match(closed.reason, /invalid or revoked API key/);
  });
});
