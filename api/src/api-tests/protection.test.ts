/** Query limits, rate limits, body limits, persisted queries, health endpoints and metrics. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";

describe("protection and health", () => {
  let t: InProcessApi;
  let key: string;
  before(async () => {
    t = await startInProcessApi({
      rateLimitBurst: 40,
      rateLimitPerSecond: 0.5,
      maxDepth: 4,
      internalPort: 0,
    });
    key = (await t.account("careful", "client")).key;
  });
  after(async () => {
    await t?.stop();
  });

  test("a query deeper than the limit is refused before it runs", async () => {
    const fourDeep = "{ tasks { edges { node { id } } pageInfo { endCursor } } }";
    const ok = await graphqlRequest(t.url, key, fourDeep);
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    const tooDeep = "{ tasks { edges { node { events { taskId } } } } }";
    const refused = await graphqlRequest(t.url, key, tooDeep);
    assert.ok(refused.errors?.length, "refused");
    assert.match(refused.errors?.[0]?.message ?? "", /depth/i);
  });

  test("a request body over 16 MiB is refused", async () => {
    const res = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: "{ me { id } }", variables: { pad: "x".repeat(16_900_000) } }),
    });
    assert.equal(res.status, 413);
  });

  test("automatic persisted queries: the hash alone works once the query is known", async () => {
    const query = "{ models { edges { node { name version } } } }";
    const sha256Hash = createHash("sha256").update(query).digest("hex");
    const ext = { persistedQuery: { version: 1, sha256Hash } };
    const post = (body: Record<string, unknown>) =>
      fetch(t.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ data?: unknown; errors?: { extensions?: { code?: string } }[] }>);
    const unknown = await post({ extensions: ext });
    assert.equal(unknown.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_NOT_FOUND");
    const registered = await post({ query, extensions: ext });
    assert.ok(registered.data);
    const byHash = await post({ extensions: ext });
    assert.deepEqual(byHash.data, registered.data);
  });

  test("health and info are public; health details and metrics need an admin or the internal port", async () => {
    const base = new URL("/", t.url);
    const health = (await (await fetch(new URL("/health", base))).json()) as { status: string };
    assert.equal(health.status, "ok");
    const info = (await (await fetch(new URL("/api/info", base))).json()) as { name: string };
    assert.equal(info.name, "NeuroGrid");
    const db = (await (await fetch(new URL("/api/health/db", base))).json()) as Record<string, unknown>;
    assert.deepEqual(db, { status: "ok" }, "the public readiness answer says no more than that");
    for (const path of ["/metrics", "/api/network/status", "/api/nodes/health"]) {
      const anonymous = await fetch(new URL(path, base));
      assert.equal(anonymous.status, 401, `${path} without a credential`);
      const client = await fetch(new URL(path, base), { headers: { authorization: `Bearer ${key}` } });
      assert.equal(client.status, 403, `${path} for a client`);
    }
    const admin = (await t.account("metrics-admin", "admin")).key;
    const asAdmin = await fetch(new URL("/metrics", base), { headers: { authorization: `Bearer ${admin}` } });
    assert.equal(asAdmin.status, 200);
    assert.match(await asAdmin.text(), /neurogrid_tasks/);

    const internal = t.api.server.internalUrl;
    assert.ok(internal, "the internal port is up");
    const internalDb = (await (await fetch(`${internal}/api/health/db`)).json()) as { latencyMs?: number };
    assert.equal(typeof internalDb.latencyMs, "number", "details on the internal port");
    const network = await fetch(`${internal}/api/network/status`);
    assert.equal(network.status, 503, "no head behind this api: the network status says so");
    const metrics = await (await fetch(`${internal}/metrics`)).text();
    assert.match(metrics, /neurogrid_api_http_requests_total\{/);
    assert.match(metrics, /neurogrid_api_graphql_operation_duration_seconds_bucket/);
    assert.match(metrics, /neurogrid_tasks/);
    assert.match(metrics, /neurogrid_task_queue_jobs\{state="waiting"\} 0/);
    assert.match(metrics, /neurogrid_local_backlog_tasks 0/, "no dispatcher here: no backlog");
  });

  test("the task-table gauge is read once however often /metrics is scraped", async () => {
    const internal = t.api.server.internalUrl;
    await fetch(`${internal}/metrics`);
    t.queries.length = 0;
    await Promise.all(Array.from({ length: 20 }, () => fetch(`${internal}/metrics`).then((r) => r.text())));
    const scans = t.queries.filter((q) => /from tasks group by status/.test(q));
    assert.equal(scans.length, 0, "cached: no statement over the tasks table for 20 scrapes");
  });

  test("per-credential rate limit: RATE_LIMITED with the delay once the bucket is empty", async () => {
    const other = (await t.account("greedy", "client")).key;
    const codes: (string | undefined)[] = [];
    let retryAfterMs = 0;
    for (let i = 0; i < 45; i++) {
      const res = await graphqlRequest<unknown>(t.url, other, "{ me { id } }");
      const code = errorCode(res);
      codes.push(code);
      if (code === "RATE_LIMITED") {
        retryAfterMs = Number((res.errors?.[0]?.extensions as { retryAfterMs?: number })?.retryAfterMs);
        break;
      }
    }
    assert.equal(codes.filter((c) => c === undefined).length, 40, "the burst is 40");
    assert.equal(codes.at(-1), "RATE_LIMITED");
    assert.ok(retryAfterMs > 0 && retryAfterMs <= 2000, `retry after ${retryAfterMs} ms at 0.5/s`);
    const stillOk = await graphqlRequest(t.url, key, "{ me { id } }");
    assert.equal(stillOk.errors, undefined, "another credential has its own bucket");
  });

  test("over graphql-ws every operation takes a token too: the socket is no way around the limit", async () => {
    const greedy = (await t.account("socket-greedy", "client")).key;
    // One socket for every operation (not lazy): opening it takes one token, each operation one.
    const client = createClient({
      url: t.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${greedy}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => {},
    });
    const once = () =>
      new Promise<{ ok: boolean; code?: string; retryAfterMs?: number }>((resolve) => {
        let ok = false;
        client.subscribe<{ me: { id: string } }>(
          { query: "{ me { id } }" },
          {
            next: (v) => {
              ok = v.data?.me.id !== undefined;
            },
            error: (err) => {
              const first = (err as { extensions?: { code?: string; retryAfterMs?: number } }[])[0];
              resolve({
                ok: false,
                code: first?.extensions?.code,
                retryAfterMs: first?.extensions?.retryAfterMs,
              });
            },
            complete: () => resolve({ ok }),
          },
        );
      });
    try {
      const results = [];
      for (let i = 0; i < 45; i++) {
        const r = await once();
        results.push(r);
        if (!r.ok) break;
      }
      assert.equal(
        results.filter((r) => r.ok).length,
        39,
        "the burst is 40, as over HTTP: 1 to open, 39 operations",
      );
      const refused = results.at(-1);
      assert.equal(refused?.code, "RATE_LIMITED");
      assert.ok((refused?.retryAfterMs ?? 0) > 0, "with the delay");
      const overHttp = await graphqlRequest(t.url, greedy, "{ me { id } }");
      assert.equal(
        errorCode(overHttp),
        "RATE_LIMITED",
        "one bucket for the credential, whatever the transport",
      );
    } finally {
      await client.dispose();
    }
  });
});
