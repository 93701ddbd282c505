/**
 * CORS over real HTTP: an api configured with one other origin answers that origin's preflight
 * (204, naming it) and lets it read a GraphQL answer; a preflight from any other origin is
 * refused (403, no CORS headers) and its requests get no Access-Control-Allow-Origin, so a
 * browser keeps the answer from that page. Requests without an Origin (servers, curl) are as before.
 * The same in Chromium: a page served from the configured origin reads a GraphQL answer sent with
 * an Authorization header; a page from another origin (another port) is refused by the browser.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { launchChromium } from "../testing/chromium.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";

const ALLOWED = "https://app.example.com";
const REFUSED = "https://evil.example.net";
const QUERY = JSON.stringify({ query: "{ models { totalCount } }" });

/** A blank page on its own loopback port: another origin than the api's. */
async function pageServer(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "text/html");
    res.end("<!doctype html><title>another origin</title>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("CORS", () => {
  let t: InProcessApi;
  let allowedPage: { origin: string; server: Server };
  let refusedPage: { origin: string; server: Server };

  before(async () => {
    allowedPage = await pageServer();
    refusedPage = await pageServer();
    t = await startInProcessApi({ corsOrigins: `${ALLOWED}, ${allowedPage.origin}/` });
  });
  after(async () => {
    await t?.stop();
    allowedPage?.server.close();
    refusedPage?.server.close();
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
    assert.deepEqual(t.api.services.config.corsOrigins, [ALLOWED, allowedPage.origin]);
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

  test("in Chromium, a page from the configured origin reads the answer and one from another cannot", async () => {
    const { key } = await t.account("cors-client", "client");
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext()).newPage();
      const call = (origin: string) =>
        page.goto(`${origin}/`).then(() =>
          page.evaluate(
            async ([url, bearer]) => {
              try {
                const res = await fetch(url as string, {
                  method: "POST",
                  headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
                  body: JSON.stringify({ query: "{ me { name } }" }),
                });
                return JSON.stringify(await res.json());
              } catch (err) {
                return `refused: ${(err as Error).name}`;
              }
            },
            [t.url, key],
          ),
        );
      assert.equal(await call(allowedPage.origin), JSON.stringify({ data: { me: { name: "cors-client" } } }));
      assert.equal(await call(refusedPage.origin), "refused: TypeError");
    } finally {
      await browser.close();
    }
  });
});
