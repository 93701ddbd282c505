/**
 * CORS over real HTTP: an api configured with one other origin answers that origin's preflight
 * (204, naming it) and lets it read a GraphQL answer; a preflight from any other origin is
 * refused (403, no CORS headers) and its requests get no Access-Control-Allow-Origin, so a
 * browser keeps the answer from that page. Requests without an Origin (servers, curl) are as before.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";

const ALLOWED = "https://app.example.com";
const REFUSED = "https://evil.example.net";
const QUERY = JSON.stringify({ query: "{ models { totalCount } }" });

describe("CORS", () => {
  let t: InProcessApi;

  before(async () => {
    t = await startInProcessApi({ corsOrigins: `${ALLOWED}, http://127.0.0.1:5173` });
  });
  after(async () => {
    await t?.stop();
  });

  function preflight(origin: string): Promise<Response> {
    return fetch(t.url, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
  }
  function post(origin?: string): Promise<Response> {
    return fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
      body: QUERY,
    });
  }

  test("the configured origins are parsed once into a typed list", () => {
    assert.deepEqual(t.api.services.config.corsOrigins, [ALLOWED, "http://127.0.0.1:5173"]);
  });

  test("a configured origin's preflight is answered, and it may read the answer", async () => {
    const pre = await preflight(ALLOWED);
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), ALLOWED);
    assert.match(pre.headers.get("access-control-allow-methods") ?? "", /\bPOST\b/);
    assert.match(pre.headers.get("access-control-allow-headers") ?? "", /\bauthorization\b/);
    assert.match(pre.headers.get("vary") ?? "", /Origin/i);

    const res = await post(ALLOWED);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), ALLOWED);
    const body = (await res.json()) as { data?: { models: { totalCount: number } } };
    assert.ok((body.data?.models.totalCount ?? 0) > 0, "the models query answered");
  });

  test("another origin's preflight is refused and its requests carry no CORS headers", async () => {
    const pre = await preflight(REFUSED);
    assert.equal(pre.status, 403);
    assert.equal(pre.headers.get("access-control-allow-origin"), null);
    assert.equal(pre.headers.get("access-control-allow-methods"), null);

    const res = await post(REFUSED);
    assert.equal(res.headers.get("access-control-allow-origin"), null);
    // A look-alike of the allowed origin is another origin.
    const lookAlike = await preflight(`${ALLOWED}.evil.example.net`);
    assert.equal(lookAlike.status, 403);
  });

  test("a request without an Origin (a server, curl) is answered as before", async () => {
    const res = await post();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), null);
  });
});
