/**
 * Alert webhook retries outlive the api process: the receiver answers the first attempt 503, the
 * api that sent it stops while the retry waits for its backoff, a new api process starts on the
 * same database, and the retry arrives from it under the same delivery id, signed, after at least
 * the backoff; the delivery log shows both attempts and nothing is left to send.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { type ApiProcess, startApiProcess } from "../app.js";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { type InProcessApi, startInProcessApi } from "../testing/in-process-api.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignatureValid } from "./webhook-signature.js";

/** Long enough that the first process is stopped before the retry falls due. */
const BACKOFF_MS = 2_000;
/** Bounds on waits that end as soon as what they wait for happens. */
const WAIT_MS = 15_000;
const POLL_MS = 25;

const ADD = "mutation($url: String!) { addAlertWebhook(input: { url: $url }) { secret webhook { id } } }";
const RETRIES = "{ alertWebhookRetries { deliveryId webhookId event nextAttempt dueAt } }";
const DELIVERIES =
  "query($id: ID) { alertWebhookDeliveries(webhookId: $id) { deliveryId attempt ok statusCode } }";

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
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

let first: InProcessApi;
let second: ApiProcess | undefined;
let server: Server;
const received: Received[] = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.statusCode = received.length === 1 ? 503 : 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  first = await startInProcessApi({ alertWebhookBackoffMs: BACKOFF_MS, alertWebhookAttempts: 3 });
});

after(async () => {
  await second?.close();
  await first?.orm.close();
  await first?.db.drop();
  server?.close();
});

test("a retry waiting for its backoff is sent by the next api process after a restart", async () => {
  const admin = await first.account("ops", "admin");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  const added = await graphqlRequest<{ addAlertWebhook: { secret: string; webhook: { id: string } } }>(
    first.url,
    admin.key,
    ADD,
    { url },
  );
  const hook = added.data?.addAlertWebhook;
  assert.ok(hook, JSON.stringify(added.errors));

  const announced = await first.api.services.alerts.announce({
    change: "opened",
    nodeId: "restart-node",
    gpuIndex: 1,
    gpuUuid: "GPU-restart-1",
    metric: "temperature",
    level: "critical",
    value: 97,
    threshold: 95,
    atMs: Date.now(),
  });
  assert.equal(announced, true);
  await waitFor("the first attempt", () => (received.length >= 1 ? true : undefined));
  const outbox = () =>
    first.orm.em.fork().execute<{ attempt: number }[]>("select attempt from alert_webhook_outbox");
  await waitFor("the retry scheduled", async () => ((await outbox())[0]?.attempt === 2 ? true : undefined));

  // An admin sees the retry waiting, due a backoff after the first attempt.
  const waiting = await graphqlRequest<{
    alertWebhookRetries: {
      deliveryId: string;
      webhookId: string;
      event: string;
      nextAttempt: number;
      dueAt: string;
    }[];
  }>(first.url, admin.key, RETRIES);
  const retry = waiting.data?.alertWebhookRetries;
  assert.equal(retry?.length, 1, JSON.stringify(waiting));
  assert.equal(retry?.[0]?.deliveryId, received[0]?.headers["x-neurogrid-delivery"]);
  assert.deepEqual(
    [retry?.[0]?.webhookId, retry?.[0]?.event, retry?.[0]?.nextAttempt],
    [hook.webhook.id, "gpu_alert.opened", 2],
  );
  assert.ok(
    Date.parse(retry?.[0]?.dueAt ?? "") >= (received[0]?.at ?? 0) + BACKOFF_MS,
    "due a backoff after the first attempt",
  );

  // The api stops mid-retry; another process starts on the same database and Redis.
  await first.api.close();
  assert.equal(received.length, 1, "stopped before the retry was due");
  second = await startApiProcess(first.api.services.config, () => {});

  await waitFor("the retry from the new process", () => (received.length >= 2 ? true : undefined));
  const [one, two] = received;
  assert.ok(one && two);
  assert.ok(two.at - one.at >= BACKOFF_MS, `retried ${two.at - one.at} ms after the first attempt`);
  assert.equal(two.headers["x-neurogrid-delivery"], one.headers["x-neurogrid-delivery"], "one delivery id");
  assert.ok(
    webhookSignatureValid(
      hook.secret,
      String(two.headers[TIMESTAMP_HEADER]),
      two.body,
      String(two.headers[SIGNATURE_HEADER]),
    ),
    "the retry is signed with the webhook's secret",
  );
  assert.equal(JSON.parse(two.body).alert.nodeId, "restart-node");

  const secondUrl = second.server.url;
  const log = await waitFor("both attempts logged", async () => {
    const res = await graphqlRequest<{
      alertWebhookDeliveries: { deliveryId: string; attempt: number; ok: boolean; statusCode: number }[];
    }>(secondUrl, admin.key, DELIVERIES, { id: hook.webhook.id });
    const rows = res.data?.alertWebhookDeliveries ?? [];
    return rows.length >= 2 ? rows : undefined;
  });
  assert.deepEqual(
    log.map((d) => [d.attempt, d.ok, d.statusCode, d.deliveryId]),
    [
      [2, true, 200, one.headers["x-neurogrid-delivery"]],
      [1, false, 503, one.headers["x-neurogrid-delivery"]],
    ],
  );
  await waitFor("nothing left to send", async () => ((await outbox()).length === 0 ? true : undefined));
});
