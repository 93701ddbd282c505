/**
 * Alert webhooks through the api: an admin adds a webhook (GraphQL), a GPU alert change is
 * recorded, and a receiver on loopback gets it as a signed JSON POST — the signature checked with
 * the secret the admin was shown once — retried after the receiver's first 500 (after the
 * backoff) under the same delivery id, and both attempts are in the delivery log. A 4xx is not
 * retried; a removed webhook hears nothing more; a forged body fails the signature check.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";
import type { AlertChange } from "./alert-engine.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignatureValid } from "./webhook-signature.js";

const BACKOFF_MS = 300;
/** Bounds on waits that end as soon as what they wait for happens. */
const WAIT_MS = 10_000;
const POLL_MS = 25;

const ADD = "mutation($url: String!) { addAlertWebhook(input: { url: $url }) { secret webhook { id url } } }";
const REMOVE = "mutation($id: ID!) { removeAlertWebhook(id: $id) }";
const DELIVERIES =
  "query($id: ID) { alertWebhookDeliveries(webhookId: $id) { deliveryId event alertId attempt ok statusCode error at } }";

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Delivery {
  deliveryId: string;
  event: string;
  alertId: string;
  attempt: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  at: string;
}

/** A receiver on loopback answering each POST with the next status of `statuses` (then the last). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.statusCode = statuses[Math.min(received.length, statuses.length) - 1] ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/alerts`, received, server };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function change(over: Partial<AlertChange>): AlertChange {
  return {
    change: "opened",
    nodeId: "hook-node",
    gpuIndex: 0,
    gpuUuid: "GPU-hook-0",
    metric: "temperature",
    level: "warning",
    value: 88,
    threshold: 85,
    atMs: Date.now(),
    ...over,
  };
}

describe("alert webhooks", () => {
  let t: InProcessApi;
  let admin: { key: string };
  const servers: Server[] = [];

  before(async () => {
    t = await startInProcessApi({ alertWebhookBackoffMs: BACKOFF_MS, alertWebhookAttempts: 3 });
    admin = await t.account("ops", "admin");
  });
  after(async () => {
    await t?.stop();
    for (const s of servers) s.close();
  });

  async function add(url: string): Promise<{ id: string; secret: string }> {
    const res = await graphqlRequest<{
      addAlertWebhook: { secret: string; webhook: { id: string; url: string } };
    }>(t.url, admin.key, ADD, { url });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const made = res.data?.addAlertWebhook;
    assert.ok(made);
    assert.equal(made.webhook.url, url);
    return { id: made.webhook.id, secret: made.secret };
  }
  async function deliveries(id: string): Promise<Delivery[]> {
    const res = await graphqlRequest<{ alertWebhookDeliveries: Delivery[] }>(t.url, admin.key, DELIVERIES, {
      id,
    });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return res.data?.alertWebhookDeliveries ?? [];
  }

  test("an alert change is POSTed signed, retried after a 500 with backoff, and every attempt logged", async () => {
    const flaky = await receiver([500, 200]);
    servers.push(flaky.server);
    const hook = await add(flaky.url);
    assert.match(hook.secret, /^whsec_/);

    assert.equal(await t.api.services.alerts.announce(change({})), true);
    await waitFor("two attempts", () => (flaky.received.length >= 2 ? true : undefined));
    const [first, second] = flaky.received;
    assert.ok(first && second);
    assert.ok(second.at - first.at >= BACKOFF_MS, `retried after ${second.at - first.at} ms`);
    for (const r of [first, second]) {
      const signature = String(r.headers[SIGNATURE_HEADER]);
      const timestamp = String(r.headers[TIMESTAMP_HEADER]);
      assert.ok(webhookSignatureValid(hook.secret, timestamp, r.body, signature), "signed with the secret");
      assert.equal(r.headers["content-type"], "application/json");
      assert.equal(r.headers["x-neurogrid-event"], "gpu_alert.opened");
    }
    assert.equal(
      first.headers["x-neurogrid-delivery"],
      second.headers["x-neurogrid-delivery"],
      "one delivery id",
    );
    const body = JSON.parse(second.body) as { event: string; alert: Record<string, unknown> };
    assert.equal(body.event, "gpu_alert.opened");
    assert.equal(body.alert.nodeId, "hook-node");
    assert.equal(body.alert.metric, "temperature");
    assert.equal(body.alert.level, "warning");
    assert.equal(body.alert.value, 88);

    // A forged body does not pass with the real signature.
    assert.equal(
      webhookSignatureValid(
        hook.secret,
        String(second.headers[TIMESTAMP_HEADER]),
        second.body.replace("88", "12"),
        String(second.headers[SIGNATURE_HEADER]),
      ),
      false,
    );

    const log = await waitFor("both attempts logged", async () => {
      const rows = await deliveries(hook.id);
      return rows.length >= 2 ? rows : undefined;
    });
    const [latest, earliest] = log;
    assert.deepEqual(
      [
        earliest?.attempt,
        earliest?.ok,
        earliest?.statusCode,
        latest?.attempt,
        latest?.ok,
        latest?.statusCode,
      ],
      [1, false, 500, 2, true, 200],
    );
    assert.equal(earliest?.deliveryId, latest?.deliveryId);
    assert.equal(earliest?.deliveryId, first.headers["x-neurogrid-delivery"]);
    assert.equal(typeof earliest?.alertId, "string");

    // Removed: the next change reaches it no more.
    const removed = await graphqlRequest<{ removeAlertWebhook: boolean }>(t.url, admin.key, REMOVE, {
      id: hook.id,
    });
    assert.equal(removed.data?.removeAlertWebhook, true);
    const gone = await receiver([410]);
    servers.push(gone.server);
    const refusing = await add(gone.url);
    assert.equal(await t.api.services.alerts.announce(change({ change: "resolved", value: 70 })), true);
    const refused = await waitFor("the refusal logged", async () => {
      const rows = await deliveries(refusing.id);
      return rows.length >= 1 ? rows : undefined;
    });
    assert.equal(gone.received.length, 1);
    assert.equal(JSON.parse(gone.received[0]?.body ?? "{}").event, "gpu_alert.resolved");
    // A 4xx is the receiver's final word: one attempt, logged, no retry.
    assert.deepEqual(
      refused.map((d) => [d.attempt, d.ok, d.statusCode]),
      [[1, false, 410]],
    );
    assert.equal(flaky.received.length, 2, "the removed webhook heard nothing more");
  });

  test("a webhook URL must be http(s) without credentials", async () => {
    for (const url of ["ftp://127.0.0.1/x", "not a url", "http://user:pw@127.0.0.1/x"]) {
      const res = await graphqlRequest(t.url, admin.key, ADD, { url });
      assert.equal(res.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", url);
    }
  });
});
