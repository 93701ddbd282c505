/**
 * Every public surface of a real api process (`neurogrid api`, its own database and Redis prefix,
 * no head behind it) fed what a careless or hostile client sends (issue 17, "Tests and done"):
 * malformed and non-JSON bodies, bodies over the limit, deep and wide documents, batches, wrong
 * variable types, NaN, huge, negative and fractional numbers, NUL and lone surrogates, a 1e6-
 * element tensor, a 10 KB idempotency key, an enormous maxTokens, forged and expired JWTs, a
 * socket that never says connection_init, 500 subscriptions on one socket.
 *
 * Every answer must be a 4xx (a 4xxx close code on a socket) or an error with a typed
 * extensions.code other than INTERNAL_SERVER_ERROR; after each, the api still answers a trivial
 * query; and at the end nothing was written (tasks, ledger, accounts, keys: same row counts).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { createClient } from "graphql-ws";
import { SignJWT } from "jose";
import WebSocket from "ws";
import type { Child } from "../cli/child-process.js";
import { migrate, openOrm } from "../db/orm.js";
import { TEST_JWT_SECRET } from "../testing/in-process-api.js";
import { apiEnv, startApi } from "../testing/local-cluster.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";
import { type Fixture, seedFixture } from "./fixture.js";

interface Sent {
  status: number;
  text: string;
}

const FEATURES = Array.from({ length: 16 }, () => 0.5);
const SUBMIT = "mutation($i: SubmitTaskInput!) { submitTask(input: $i) { id } }";
const TABLES = ["tasks", "ledger_entries", "ledger_transactions", "accounts", "api_keys", "refresh_tokens"];

describe("fuzz: every public surface of a real api process", () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let fx: Fixture;
  let api: Child;
  let url: string;
  let base: string;
  let countsBefore: Record<string, number>;

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const [row] = await orm.em.fork().execute<{ n: string }[]>(`select count(*) as n from ${table}`);
      out[table] = Number(row?.n);
    }
    return out;
  };

  const send = async (
    path: string,
    init: RequestInit & { headers?: Record<string, string> },
  ): Promise<Sent> => {
    const res = await fetch(`${base}${path}`, init);
    return { status: res.status, text: await res.text() };
  };

  const graphql = (body: string | unknown, headers: Record<string, string> = {}) =>
    send("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${fx.clientKey}`, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  /** The answer is the client's mistake, typed; and the api still answers. */
  const refused = async (what: string, sent: Sent) => {
    if (process.env.TEST_VERBOSE)
      process.stderr.write(`fuzz: ${what}: ${sent.status} ${sent.text.slice(0, 160)}\n`);
    assert.ok(sent.status < 500, `${what}: HTTP ${sent.status} ${sent.text.slice(0, 300)}`);
    let body: { data?: unknown; errors?: { extensions?: { code?: string } }[]; error?: unknown } | undefined;
    try {
      body = JSON.parse(sent.text);
    } catch {
      body = undefined;
    }
    if (sent.status < 400) {
      const codes = (body?.errors ?? []).map((e) => e.extensions?.code);
      assert.ok(codes.length > 0, `${what}: accepted (${sent.status} ${sent.text.slice(0, 200)})`);
      for (const code of codes) {
        assert.ok(
          code && code !== "INTERNAL_SERVER_ERROR",
          `${what}: code ${code} in ${sent.text.slice(0, 300)}`,
        );
      }
    } else if (body?.errors) {
      for (const e of body.errors) assert.notEqual(e.extensions?.code, "INTERNAL_SERVER_ERROR", what);
    }
    assert.doesNotMatch(sent.text, /\bat [\w.<>]+ \(|node_modules/, `${what}: a stack in the answer`);
    await alive(what);
  };

  const alive = async (after: string) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    const body = (await res.json()) as { data?: { __typename?: string } };
    assert.equal(body.data?.__typename, "Query", `the api stopped answering after ${after}`);
  };

  before(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    fx = await seedFixture(orm, [], 10_000_000_000n);
    const started = await startApi(
      apiEnv(db.url, uniquePrefix("fuzz"), "127.0.0.1:1", {
        NEUROGRID_RATE_LIMIT_BURST: "1000000",
        NEUROGRID_RATE_LIMIT_PER_SECOND: "1000000",
        NEUROGRID_NODE_TOKEN_SECRET: "node-token-secret-for-fuzzing",
        NEUROGRID_FAUCET: "1",
      }),
      ["--no-dispatcher"],
    );
    api = started.child;
    url = started.url;
    base = url.replace(/\/graphql$/, "");
    countsBefore = await counts();
  });

  after(async () => {
    await api?.stop();
    await orm?.close();
    await db?.drop();
  });

  test("HTTP bodies: malformed, not JSON, over the limit, batched", async () => {
    for (const body of [
      '{"query": "{ me { id }"',
      "{not json",
      "[1,2",
      '"just a string"',
      "42",
      "null",
      "",
    ]) {
      await refused(`malformed JSON ${body}`, await graphql(body));
    }
    for (const [type, body] of [
      ["text/plain", "{ me { id } }"],
      ["application/x-www-form-urlencoded", "query=%7B+me+%7B+id+%7D+%7D"],
      ["application/octet-stream", "\u0000\u0001\u0002garbage"],
      ["application/json; charset=latin-9", '{"query":"{ me { id } }"}'],
      ["multipart/form-data; boundary=x", "--x\r\n\r\n--x--"],
    ] as const) {
      await refused(`a ${type} body`, await graphql(body, { "content-type": type }));
    }
    await refused(
      "a 16.2 MiB body",
      await graphql({ query: "{ me { id } }", variables: { pad: "x".repeat(17_000_000) } }),
    );
    await refused("a 5 MiB body", await graphql(`{"query":"${"a".repeat(5 * 1024 * 1024)}"}`));
    await refused("a batch", await graphql([{ query: "{ me { id } }" }, { query: "{ me { id } }" }]));
    await refused("no query", await graphql({ variables: {} }));
    await refused("a query that is not a string", await graphql({ query: { nested: true } }));
    await refused(
      "variables that are not an object",
      await graphql({ query: "{ me { id } }", variables: [1] }),
    );
    await refused(
      "a mutation by GET",
      await send(`/graphql?query=${encodeURIComponent('mutation { faucet(amount: "1") { available } }')}`, {
        headers: { authorization: `Bearer ${fx.clientKey}`, "apollo-require-preflight": "1" },
      }),
    );
  });

  test("documents: 50 deep, 1,000 aliases and directives, syntax errors, NUL, unknown fields", async () => {
    const deep = `{ ${"__schema { types { fields { type { ofType { ".repeat(10)}name${" } } } } }".repeat(10)} }`;
    const aliases = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: __typename`).join(" ")} }`;
    const directives = `{ __typename ${"@include(if: true) ".repeat(1000)} }`;
    const fifteen = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: me { id }`).join(" ")} }`;
    for (const [what, query] of [
      ["50 deep", deep],
      ["1,000 aliases", aliases],
      ["1,000 directives", directives],
      ["40 aliases", fifteen],
      ["a syntax error", "{ me { id "],
      ["a NUL in the document", "{ me { id } }\u0000"],
      ["a lone surrogate in the document", '{ me(x: "\ud800") { id } }'],
      ["an unknown field", "{ nope }"],
      ["an empty document", " "],
      ["two anonymous operations", "{ me { id } } { me { id } }"],
      ["a subscription over HTTP", "subscription { gpuAlerts { change } }"],
    ] as const) {
      await refused(what, await graphql({ query }));
    }
  });

  test("variables of the wrong type, and numbers: NaN, huge, negative, fractional", async () => {
    const first = "query($n: Int) { tasks(first: $n) { totalCount } }";
    for (const n of ["x", 1.5, 1e20, -1, [1], { a: 1 }, true]) {
      await refused(`first = ${JSON.stringify(n)}`, await graphql({ query: first, variables: { n } }));
    }
    // The faucet is on here: an amount it accepted would write a deposit, which the last test sees.
    const faucet = "mutation($a: String) { faucet(amount: $a) { available } }";
    for (const a of [
      "NaN",
      "-1",
      "0",
      "1e400",
      "9".repeat(39),
      "0x10",
      "",
      " 1",
      "1.0000000001",
      "100.5",
      1,
      1.5,
      {},
    ]) {
      await refused(`faucet amount ${JSON.stringify(a)}`, await graphql({ query: faucet, variables: { a } }));
    }
    for (const amount of ['"NaN"', '"-5"', "-5", '"99999999999999999999999999999999999999999"']) {
      await refused(
        `faucet literal ${amount}`,
        await graphql({ query: `mutation { faucet(amount: ${amount}) { available } }` }),
      );
    }
    const tensors: [string, string][] = [
      ["NaN", `[[${Array(16).fill('"NaN"').join(",")}]]`],
      ["Infinity (1e999)", `[[${Array(16).fill("1e999").join(",")}]]`],
      ["huge (1e39)", `[[${Array(16).fill("1e39").join(",")}]]`],
      ["a string", '[["0.5"]]'],
      ["a ragged row", "[[1,2],[3]]"],
      ["nested too deep", `[${"[".repeat(200)}1${"]".repeat(200)}]`],
      ["null", "null"],
      ["an object", '{"a":1}'],
    ];
    for (const [what, features] of tensors) {
      const body = `{"query":${JSON.stringify(SUBMIT)},"variables":{"i":{"model":"mlp-classifier","input":{"features":${features}}}}}`;
      await refused(`a tensor of ${what}`, await graphql(body));
    }
    for (const priority of [-1, 1.5, 1e12, "high"]) {
      await refused(
        `priority ${priority}`,
        await graphql({
          query: SUBMIT,
          variables: { i: { model: "mlp-classifier", input: { features: [FEATURES] }, priority } },
        }),
      );
    }
  });

  test("strings: NUL, lone surrogates, a 10 KB idempotency key, an enormous maxTokens, a 1e6-element tensor", async () => {
    const input = (extra: Record<string, unknown>) => ({
      model: "mlp-classifier",
      input: { features: [FEATURES] },
      ...extra,
    });
    for (const [what, i] of [
      ["a NUL model", input({ model: "mlp\u0000" })],
      ["a lone surrogate version", input({ version: "\udc00" })],
      ["a NUL idempotency key", input({ idempotencyKey: "k\u0000" })],
      ["a 10 KB idempotency key", input({ idempotencyKey: "k".repeat(10 * 1024) })],
      ["a NUL in a prompt", { model: "char-trigram-lm", input: { prompt: "a\u0000", maxTokens: 2 } }],
      [
        "a lone surrogate in a prompt",
        { model: "char-trigram-lm", input: { prompt: "a\ud83d", maxTokens: 2 } },
      ],
      ["maxTokens 1e12", { model: "char-trigram-lm", input: { prompt: "a", maxTokens: 1e12 } }],
      ["maxTokens 1e308", { model: "char-trigram-lm", input: { prompt: "a", maxTokens: 1e308 } }],
      ["maxTokens -1", { model: "char-trigram-lm", input: { prompt: "a", maxTokens: -1 } }],
      ["maxTokens 1.5", { model: "char-trigram-lm", input: { prompt: "a", maxTokens: 1.5 } }],
      ["an unknown model", input({ model: "no-such-model" })],
    ] as const) {
      await refused(what, await graphql({ query: SUBMIT, variables: { i } }));
    }
    const row = Array(500_000).fill(0);
    await refused(
      "a 500,000-element row (under the body limit)",
      await graphql({ query: SUBMIT, variables: { i: input({ input: { features: [row] } }) } }),
    );
    const million = Array(1_000_000).fill(0);
    await refused(
      "a 1e6-element tensor",
      await graphql({ query: SUBMIT, variables: { i: input({ input: { features: [million] } }) } }),
    );
    for (const [what, query, variables] of [
      [
        "a NUL login",
        'mutation($l: String!) { login(input: { login: $l, password: "whatever1" }) { accessToken } }',
        { l: "\u0000" },
      ],
      [
        "a NUL email",
        'mutation($e: String) { register(input: { name: "fuzzer", email: $e, password: "long enough" }) { accessToken } }',
        { e: "a\u0000@b.c" },
      ],
      [
        "a NUL key label",
        "mutation($l: String) { createApiKey(input: { label: $l }) { key } }",
        { l: "\u0000" },
      ],
      [
        "a NUL tasks filter",
        "query($m: String) { tasks(filter: { model: $m }) { totalCount } }",
        { m: "\u0000" },
      ],
      [
        "a NUL ledger filter",
        "query($m: [String!]) { ledgerEntries(filter: { movement: $m }) { totalCount } }",
        { m: ["\ud800"] },
      ],
      ["a NUL JSON key", SUBMIT, { i: { model: "mlp-classifier", input: { "\u0000": [[1]] } } }],
    ] as const) {
      await refused(
        what,
        await graphql(
          { query, variables },
          what === "a NUL login" || what === "a NUL email" ? { authorization: "" } : {},
        ),
      );
    }
  });

  test("JWTs: alg none, a wrong signature, expired; malformed credentials", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: fx.clientId, role: "admin", typ: "access", jti: randomUUID() };
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64({ ...claims, exp: now + 3600 })}.`;
    const wrong = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode("not-the-secret-not-the-secret-not-the"));
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const hs512 = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS512" })
      .setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    for (const [what, authorization] of [
      ["alg none", `Bearer ${none}`],
      ["a wrong signature", `Bearer ${wrong}`],
      ["an expired token", `Bearer ${expired}`],
      ["HS512 with the right secret", `Bearer ${hs512}`],
      ["Basic auth", "Basic dXNlcjpwYXNz"],
      ["Bearer and nothing", "Bearer "],
      ["a 10 KB token", `Bearer ${"x".repeat(10 * 1024)}`],
    ] as const) {
      const sent = await graphql({ query: "{ platformLedger { balanced } }" }, { authorization });
      assert.ok(sent.status === 401 || sent.status === 400, `${what}: ${sent.status}`);
      await refused(what, sent);
    }
  });

  test("the other routes: /v1, /models/:sha256, health details", async () => {
    const v1 = (body: string, headers: Record<string, string> = {}) =>
      send("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${fx.clientKey}`, ...headers },
        body,
      });
    for (const body of [
      "{not json",
      "[]",
      '{"model": 1}',
      '{"model":"char-trigram-lm","messages":"hi"}',
      '{"model":"char-trigram-lm","messages":[null]}',
      '{"model":"char-\\u0000","messages":[{"role":"user","content":"hi"}]}',
      '{"model":"char-trigram-lm","messages":[{"role":"user","content":"\\ud800"}]}',
      '{"model":"char-trigram-lm","messages":[{"role":"user","content":"hi"}],"max_tokens":1e12}',
      '{"model":"char-trigram-lm","messages":[{"role":"user","content":"hi"}],"max_tokens":-1}',
      '{"model":"char-trigram-lm","messages":[{"role":"user","content":"hi"}],"max_tokens":"lots"}',
    ]) {
      await refused(`/v1 ${body.slice(0, 60)}`, await v1(body));
    }
    await refused("/v1 with a forged key", await v1("{}", { authorization: "Bearer ng_forged" }));
    const upload = (body: string, type: string, authorization = `Bearer ${fx.clientKey}`) =>
      send("/v1/tasks", { method: "POST", headers: { "content-type": type, authorization }, body });
    const part = (name: string, value: string, file = "") =>
      `--x\r\nContent-Disposition: form-data; name="${name}"${file}\r\n\r\n${value}\r\n`;
    const multipart = "multipart/form-data; boundary=x";
    for (const [what, body, type] of [
      ["a JSON body", '{"model":"ocr"}', "application/json"],
      ["multipart without a boundary", "x", "multipart/form-data"],
      ["a broken multipart", "--x\r\nnonsense", multipart],
      ["no model part", `${part("file", "abc", '; filename="a.png"')}--x--\r\n`, multipart],
      ["no file part", `${part("model", "ocr")}--x--\r\n`, multipart],
      ["a file that is text", `${part("model", "ocr")}${part("file", "abc")}--x--\r\n`, multipart],
      [
        "an unknown model",
        `${part("model", "nope")}${part("file", "a", '; filename="a"')}--x--\r\n`,
        multipart,
      ],
      [
        "a file for a tensor model",
        `${part("model", "mlp-classifier")}${part("file", "a", '; filename="a"')}--x--\r\n`,
        multipart,
      ],
      [
        "a file that is no image",
        `${part("model", "ocr")}${part("file", "abc", '; filename="a.png"')}--x--\r\n`,
        multipart,
      ],
    ] as const) {
      await refused(`/v1/tasks ${what}`, await upload(body, type));
    }
    await refused("/v1/tasks with a forged key", await upload("", multipart, "Bearer ng_forged"));
    for (const id of ["not-an-id", "00000000-0000-4000-8000-000000000000"])
      await refused(
        `/v1/tasks/${id}`,
        await send(`/v1/tasks/${id}`, { headers: { authorization: `Bearer ${fx.clientKey}` } }),
      );
    for (const [path, authorization] of [
      ["/models/not-a-sha", `Bearer ${fx.clientKey}`],
      [`/models/${"a".repeat(64)}`, ""],
      [`/models/${"a".repeat(64)}`, "Bearer nga.garbage"],
      [`/models/${"a".repeat(64)}`, "Bearer ngn.garbage"],
      [`/models/${"a".repeat(64)}`, `Bearer ${fx.clientKey}`],
      ["/metrics", ""],
      ["/api/network/status", `Bearer ${fx.clientKey}`],
    ] as const) {
      await refused(`GET ${path}`, await send(path, { headers: authorization ? { authorization } : {} }));
    }
  });

  test("WebSocket: no connection_init, garbage messages, an oversized message, 500 subscriptions on one socket", async () => {
    const wsUrl = url.replace(/^http/, "ws");
    const closeOf = (socket: WebSocket) =>
      new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
    const silent = new WebSocket(wsUrl, "graphql-transport-ws");
    const silentClosed = await closeOf(silent);
    assert.equal(silentClosed, 4408, "closed for want of connection_init");

    const raw = async (messages: string[]) => {
      const socket = new WebSocket(wsUrl, "graphql-transport-ws");
      const closed = closeOf(socket);
      await new Promise((r) => socket.on("open", r));
      for (const m of messages) socket.send(m);
      const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(0), 2000))]);
      socket.terminate();
      return code;
    };
    const init = JSON.stringify({
      type: "connection_init",
      payload: { authorization: `Bearer ${fx.clientKey}` },
    });
    for (const [what, messages] of [
      ["not JSON", ["{nope"]],
      [
        "subscribe before init",
        [JSON.stringify({ type: "subscribe", id: "1", payload: { query: "{ me { id } }" } })],
      ],
      ["an unknown type", [init, JSON.stringify({ type: "launch", id: "1" })]],
      ["a subscribe without a query", [init, JSON.stringify({ type: "subscribe", id: "1", payload: {} })]],
      ["init twice", [init, init]],
      ["a 2 MiB message", [init, "x".repeat(2 * 1024 * 1024)]],
    ] as const) {
      const code = await raw([...messages]);
      assert.ok((code >= 4000 && code < 4500) || code === 1009, `${what}: closed with ${code}`);
      await alive(`a socket sending ${what}`);
    }
    const badInit = await raw([
      JSON.stringify({ type: "connection_init", payload: { authorization: "Bearer a.b.c" } }),
    ]);
    assert.equal(badInit, 4401, "a bad credential in connection_init");

    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${fx.providerKey}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => {},
    });
    try {
      const firsts = await Promise.all(
        Array.from(
          { length: 500 },
          () =>
            new Promise<string>((resolve) => {
              const timer = setTimeout(() => resolve("open"), 3000);
              client.subscribe(
                { query: "subscription { gpuAlerts { change } }" },
                {
                  next: (v) => {
                    clearTimeout(timer);
                    resolve(String((v.errors?.[0]?.extensions as { code?: string })?.code ?? "event"));
                  },
                  error: (err) => {
                    clearTimeout(timer);
                    const first = Array.isArray(err)
                      ? (err[0] as { extensions?: { code?: string } })
                      : undefined;
                    resolve(first?.extensions?.code ?? `closed ${(err as { code?: number }).code}`);
                  },
                  complete: () => {},
                },
              );
            }),
        ),
      );
      const tally: Record<string, number> = {};
      for (const f of firsts) tally[f] = (tally[f] ?? 0) + 1;
      assert.deepEqual(Object.keys(tally).sort(), ["LIMIT_EXCEEDED", "open"], JSON.stringify(tally));
      assert.equal(tally.open, 100, "the default cap of operations per socket");
    } finally {
      await client.dispose();
    }
    await alive("500 subscriptions");
  });

  test("nothing was written", async () => {
    assert.deepEqual(await counts(), countsBefore);
  });
});
