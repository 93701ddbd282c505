/**
 * graphql-ws is held to what HTTP is held to (issue 17, section 3), over real sockets: the
 * credential is checked for every operation and a revoked key, account or session closes its
 * sockets with 4401 at once; open sockets are capped per address and per account (4429) and
 * operations per socket (LIMIT_EXCEEDED); subscriptions check scopes as the queries that read
 * the same data do.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { Account, ApiKey } from "../db/entities/index.js";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";

/** A WebSocket class whose sockets come from `address` (X-Forwarded-For, trusted from loopback). */
function from(address: string) {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { "x-forwarded-for": address } });
    }
  };
}

interface Socket {
  client: Client;
  /** Resolves with the close code once the server closes the socket. */
  closed: Promise<number>;
  /** The first result of one operation: its data, or its error code. */
  run(query: string, variables?: Record<string, unknown>): Promise<{ code?: string; data?: unknown }>;
  /** Starts a subscription and resolves once it is accepted (quiet) or refused (its code). */
  subscribe(query: string, variables?: Record<string, unknown>): Promise<string | undefined>;
}

function socket(url: string, credential: string | undefined, address = "10.20.0.1"): Socket {
  let closedWith: (code: number) => void = () => {};
  const closed = new Promise<number>((resolve) => {
    closedWith = resolve;
  });
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: from(address),
    connectionParams: credential ? { authorization: `Bearer ${credential}` } : {},
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
    on: { closed: (e) => closedWith((e as { code: number }).code) },
  });
  const codeOf = (err: unknown) =>
    Array.isArray(err)
      ? (err[0] as { extensions?: { code?: string } })?.extensions?.code
      : `closed ${(err as { code?: number })?.code}`;
  return {
    client,
    closed,
    run: (query, variables = {}) =>
      new Promise((resolve) => {
        client.subscribe(
          { query, variables },
          {
            next: (v) =>
              resolve(
                v.errors ? { code: (v.errors[0]?.extensions as { code?: string })?.code } : { data: v.data },
              ),
            error: (err) => resolve({ code: codeOf(err) }),
            complete: () => resolve({}),
          },
        );
      }),
    subscribe: (query, variables = {}) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 300);
        client.subscribe(
          { query, variables },
          {
            next: (v) => {
              if (v.errors) {
                clearTimeout(timer);
                resolve((v.errors[0]?.extensions as { code?: string })?.code);
              }
            },
            error: (err) => {
              clearTimeout(timer);
              resolve(codeOf(err));
            },
            complete: () => {},
          },
        );
      }),
  };
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)),
  ]);

describe("graphql-ws: credentials, revocation, caps, scopes", () => {
  let t: InProcessApi;
  const opened: Socket[] = [];
  const open = (credential: string | undefined, address?: string) => {
    const s = socket(t.url, credential, address);
    opened.push(s);
    return s;
  };
  before(async () => {
    t = await startInProcessApi({
      rateLimitBurst: 100_000,
      rateLimitPerSecond: 100_000,
      wsSocketsPerAddress: 3,
      wsSocketsPerAccount: 4,
      wsOperationsPerSocket: 5,
    });
  });
  after(async () => {
    await Promise.all(opened.map((s) => s.client.dispose()));
    await t?.stop();
  });

  test("a revoked API key closes its open socket with 4401 at once, subscription and all", async () => {
    const owner = await t.account("ws-owner", "client");
    const made = await graphqlRequest<{ createApiKey: { key: string; apiKey: { id: string } } }>(
      t.url,
      owner.key,
      "mutation { createApiKey { key apiKey { id } } }",
    );
    const { key, apiKey } = made.data?.createApiKey ?? { key: "", apiKey: { id: "" } };
    const s = open(key, "10.21.0.1");
    assert.ok((await s.run("{ me { id } }")).data);
    assert.equal(await s.subscribe("subscription { gpuAlerts { change } }"), "FORBIDDEN", "a client's key");
    await graphqlRequest(t.url, owner.key, "mutation($id: ID!) { revokeApiKey(id: $id) { id } }", {
      id: apiKey.id,
    });
    assert.equal(await within(s.closed, 2000, "the close"), 4401);
  });

  test("a deleted account's socket closes with 4401; logout closes the sockets of that session", async () => {
    const doomed = await t.account("ws-doomed", "client");
    const s = open(doomed.key, "10.21.0.2");
    assert.ok((await s.run("{ me { id } }")).data);
    const em = t.api.services.orm.em.fork();
    await em.nativeDelete(ApiKey, { account: doomed.id });
    const account = await em.findOneOrFail(Account, doomed.id);
    account.name = "ws-doomed-renamed"; // an account change the api's ORM flushes: every process hears it
    await em.flush();
    assert.equal(await within(s.closed, 2000, "the close after the account changed"), 4401);

    await graphqlRequest(
      t.url,
      undefined,
      `mutation { register(input: { name: "ws-session", password: "correct horse" }) { accessToken } }`,
    );
    const session = await graphqlRequest<{ login: { accessToken: string; refreshToken: string } }>(
      t.url,
      undefined,
      `mutation { login(input: { login: "ws-session", password: "correct horse" }) { accessToken refreshToken } }`,
    );
    const { accessToken, refreshToken } = session.data?.login ?? { accessToken: "", refreshToken: "" };
    const js = open(accessToken, "10.21.0.3");
    assert.ok((await js.run("{ me { id } }")).data);
    await graphqlRequest(t.url, undefined, "mutation($t: String!) { logout(refreshToken: $t) }", {
      t: refreshToken,
    });
    assert.equal(await within(js.closed, 2000, "the close after logout"), 4401);
  });

  test("open sockets are capped per address and per account (4429)", async () => {
    for (let i = 0; i < 3; i++)
      assert.ok((await open(undefined, "10.22.0.1").run("{ models { totalCount } }")).data);
    const fourth = open(undefined, "10.22.0.1");
    assert.equal(await within(fourth.closed, 2000, "the 4th socket from one address"), 4429);
    assert.ok((await open(undefined, "10.22.0.2").run("{ models { totalCount } }")).data, "another address");
    const { key } = await t.account("ws-many", "client");
    for (let i = 0; i < 4; i++) assert.ok((await open(key, `10.23.0.${i}`).run("{ me { id } }")).data);
    const fifth = open(key, "10.23.0.9");
    assert.equal(await within(fifth.closed, 2000, "the 5th socket of one account"), 4429);
  });

  test("operations in flight on one socket are capped: LIMIT_EXCEEDED past it", async () => {
    const admin = await t.account("ws-admin", "admin");
    const s = open(admin.key, "10.24.0.1");
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 7; i++) codes.push(await s.subscribe("subscription { gpuAlerts { change } }"));
    assert.deepEqual(codes, [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      "LIMIT_EXCEEDED",
      "LIMIT_EXCEEDED",
    ]);
  });

  test("subscriptions check scopes as queries do: a ledger:read key cannot follow nodes or GPUs", async () => {
    const provider = await t.account("ws-provider", "provider", ["ledger:read"]);
    const nodesOnly = await t.account("ws-provider-nodes", "provider", ["nodes:read"]);
    const adminLedger = await t.account("ws-admin-ledger", "admin", ["ledger:read"]);
    const ledger = open(provider.key, "10.25.0.1");
    assert.equal(await ledger.subscribe("subscription { nodeStatus { nodeId } }"), "FORBIDDEN");
    assert.equal(await ledger.subscribe("subscription { gpuAlerts { change } }"), "FORBIDDEN");
    assert.equal(
      errorCode(await graphqlRequest(t.url, provider.key, "{ nodes { totalCount } }")),
      "FORBIDDEN",
    );
    const nodes = open(nodesOnly.key, "10.25.0.2");
    assert.equal(
      await nodes.subscribe("subscription { nodeStatus { nodeId } }"),
      undefined,
      "nodes:read follows nodes",
    );
    assert.equal(
      await nodes.subscribe("subscription { payoutStatus { payoutId } }"),
      "FORBIDDEN",
      "not payouts",
    );
    const admin = open(adminLedger.key, "10.25.0.3");
    assert.equal(await admin.subscribe("subscription { clusterEvents { kind } }"), "FORBIDDEN");
  });
});
