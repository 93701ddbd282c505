/**
 * What a client sends that the api must refuse as the client's mistake, never as an internal
 * error (issue 17, section 5), over real HTTP and a real graphql-ws socket:
 * - NUL characters and lone surrogates in any string argument: BAD_USER_INPUT (400), by one rule;
 * - a subscription sent by HTTP POST: 400 BAD_REQUEST, pointing to the WebSocket transport;
 * - syntax errors (the token limit and a NUL in the document included): 400, on both transports,
 *   and over WebSocket an error for that operation, not a closed socket;
 * - revoking a refresh family (logout, reuse) ends its access tokens at once.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

describe("the edge refuses bad input as the client's mistake", () => {
  let t: InProcessApi;
  let key: string;
  const post = async (body: unknown, credential: string | undefined = key): Promise<Answer> => {
    const res = await fetch(t.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer["body"] };
  };
  const code = (a: Answer) => a.body.errors?.[0]?.extensions?.code;

  before(async () => {
    t = await startInProcessApi({ rateLimitBurst: 100_000, rateLimitPerSecond: 100_000 });
    key = (await t.account("edge-client", "client")).key;
    await graphqlRequest(t.url, key, `mutation { faucet(amount: "1000000000") { available } }`);
  });
  after(async () => {
    await t?.stop();
  });

  const NUL = "a\u0000b";
  const SUBMIT = `mutation($i: SubmitTaskInput!) { submitTask(input: $i) { id } }`;
  const features = { features: [Array.from({ length: 16 }, () => 0.5)] };
  const cases: [string, string, Record<string, unknown>, boolean?][] = [
    ["submitTask model", SUBMIT, { i: { model: NUL, input: features } }],
    ["submitTask version", SUBMIT, { i: { model: "mlp-classifier", version: NUL, input: features } }],
    [
      "submitTask idempotencyKey",
      SUBMIT,
      { i: { model: "mlp-classifier", input: features, idempotencyKey: NUL } },
    ],
    [
      "submitTask prompt (NUL)",
      SUBMIT,
      { i: { model: "char-trigram-lm", input: { prompt: NUL, maxTokens: 2 } } },
    ],
    [
      "submitTask prompt (lone surrogate)",
      SUBMIT,
      { i: { model: "char-trigram-lm", input: { prompt: "a\ud800b", maxTokens: 2 } } },
    ],
    ["submitTask input key", SUBMIT, { i: { model: "mlp-classifier", input: { [NUL]: [[1]] } } }],
    [
      "register email",
      `mutation($e: String) { register(input: { name: "nul-mail", email: $e, password: "long enough" }) { accessToken } }`,
      { e: `x${NUL}@example.com` },
      true,
    ],
    [
      "login",
      `mutation($l: String!) { login(input: { login: $l, password: "whatever1" }) { accessToken } }`,
      { l: NUL },
      true,
    ],
    ["createApiKey label", `mutation($l: String) { createApiKey(input: { label: $l }) { key } }`, { l: NUL }],
    ["tasks filter", `query($m: String) { tasks(filter: { model: $m }) { totalCount } }`, { m: NUL }],
    [
      "ledgerEntries filter",
      `query($m: [String!]) { ledgerEntries(filter: { movement: $m }) { totalCount } }`,
      { m: [NUL] },
    ],
  ];
  for (const [what, query, variables, anonymous] of cases) {
    test(`a NUL or lone surrogate in ${what} is BAD_USER_INPUT (400)`, async () => {
      const answer = await post({ query, variables }, anonymous ? undefined : key);
      assert.equal(code(answer), "BAD_USER_INPUT", JSON.stringify(answer.body));
      assert.equal(answer.status, 400);
    });
  }

  test("the same rule holds for string literals in the document", async () => {
    const answer = await post({ query: `mutation { createApiKey(input: { label: "a\\u0000b" }) { key } }` });
    assert.equal(code(answer), "BAD_USER_INPUT", JSON.stringify(answer.body));
    assert.equal(answer.status, 400);
    const fine = await post({
      query: `mutation { createApiKey(input: { label: "ok \\ud83d\\ude00" }) { key } }`,
    });
    assert.equal(fine.body.errors, undefined, "a surrogate pair is a character: accepted");
  });

  test("a subscription sent by HTTP POST is 400 BAD_REQUEST, pointing to the WebSocket", async () => {
    const answer = await post({ query: "subscription { payoutStatus { payoutId } }" });
    assert.equal(answer.status, 400);
    assert.equal(code(answer), "BAD_REQUEST");
    assert.match(answer.body.errors?.[0]?.message ?? "", /WebSocket/);
  });

  test("syntax errors, the token limit and a NUL in the document are 400", async () => {
    const aliases = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: me { id }`).join(" ")} }`;
    const directives = `{ me ${Array.from({ length: 1000 }, () => "@include(if: true)").join(" ")} { id } }`;
    for (const query of ["{ me { id ", aliases, directives, "{ me { id } }\u0000"]) {
      const answer = await post({ query });
      assert.equal(answer.status, 400, `${query.slice(0, 40)}: ${JSON.stringify(answer.body).slice(0, 200)}`);
      assert.equal(code(answer), "GRAPHQL_PARSE_FAILED");
    }
  });

  test("over graphql-ws: bad strings and syntax errors are errors of that operation; the socket lives on", async () => {
    const client = createClient({
      url: t.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${key}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => {},
    });
    let closed: number | undefined;
    client.on("closed", (e) => {
      closed = (e as { code: number }).code;
    });
    const once = (query: string, variables: Record<string, unknown> = {}) =>
      new Promise<{ code?: string; data?: unknown }>((resolve) => {
        let data: unknown;
        client.subscribe(
          { query, variables },
          {
            next: (v) => {
              data = v.data ?? data;
              if (v.errors) resolve({ code: (v.errors[0]?.extensions as { code?: string })?.code });
            },
            error: (err) => {
              const first = Array.isArray(err) ? (err[0] as { extensions?: { code?: string } }) : undefined;
              resolve({
                code: first?.extensions?.code ?? `closed ${String((err as { code?: number }).code)}`,
              });
            },
            complete: () => resolve({ data }),
          },
        );
      });
    try {
      assert.equal(
        (await once(`query($m: String) { tasks(filter: { model: $m }) { totalCount } }`, { m: NUL })).code,
        "BAD_USER_INPUT",
      );
      assert.equal((await once("{ me { id ")).code, "GRAPHQL_PARSE_FAILED");
      const aliases = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: me { id }`).join(" ")} }`;
      assert.equal((await once(aliases)).code, "GRAPHQL_PARSE_FAILED", "the token limit, as over HTTP");
      assert.equal((await once("{ me { nope } }")).code, "GRAPHQL_VALIDATION_FAILED");
      assert.equal(
        (await once("query($n: Int) { tasks(first: $n) { totalCount } }", { n: "x" })).code,
        "BAD_USER_INPUT",
      );
      const fine = await once("{ me { id } }");
      assert.ok(fine.data, "the socket still serves");
      assert.equal(closed, undefined, "never closed");
    } finally {
      await client.dispose();
    }
  });
});

describe("revoking a refresh family ends its access tokens at once", () => {
  let t: InProcessApi;
  const LOGIN = `mutation($n: String!) { login(input: { login: $n, password: "correct horse" }) { accessToken refreshToken } }`;
  const REFRESH = `mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }`;
  const ME = "{ me { id } }";
  type Session = { accessToken: string; refreshToken: string };

  before(async () => {
    t = await startInProcessApi();
    await graphqlRequest(
      t.url,
      undefined,
      `mutation { register(input: { name: "revokee", password: "correct horse" }) { accessToken } }`,
    );
  });
  after(async () => {
    await t?.stop();
  });

  const login = async () =>
    (await graphqlRequest<{ login: Session }>(t.url, undefined, LOGIN, { n: "revokee" })).data
      ?.login as Session;

  test("logout: the access token of that login fails with UNAUTHENTICATED; another login's still works", async () => {
    const mine = await login();
    const other = await login();
    assert.equal((await graphqlRequest(t.url, mine.accessToken, ME)).errors, undefined);
    const out = await graphqlRequest<{ logout: boolean }>(
      t.url,
      undefined,
      `mutation($t: String!) { logout(refreshToken: $t) }`,
      {
        t: mine.refreshToken,
      },
    );
    assert.equal(out.data?.logout, true);
    assert.equal(errorCode(await graphqlRequest(t.url, mine.accessToken, ME)), "UNAUTHENTICATED");
    assert.equal(
      (await graphqlRequest(t.url, other.accessToken, ME)).errors,
      undefined,
      "another session lives on",
    );
  });

  test("reuse of a refresh token: every access token of the family fails at once", async () => {
    const first = await login();
    const second = (
      await graphqlRequest<{ refreshToken: Session }>(t.url, undefined, REFRESH, { t: first.refreshToken })
    ).data?.refreshToken as Session;
    assert.equal((await graphqlRequest(t.url, second.accessToken, ME)).errors, undefined);
    const reuse = await graphqlRequest(t.url, undefined, REFRESH, { t: first.refreshToken });
    assert.equal(errorCode(reuse), "UNAUTHENTICATED");
    assert.equal(errorCode(await graphqlRequest(t.url, first.accessToken, ME)), "UNAUTHENTICATED");
    assert.equal(errorCode(await graphqlRequest(t.url, second.accessToken, ME)), "UNAUTHENTICATED");
  });
});
