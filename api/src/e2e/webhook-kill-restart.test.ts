/**
 * Alert webhook retries outlive a killed api process, end to end: a worker replays a GPU heating
 * up, the api (a child process) POSTs the alert to a receiver that answers the first attempt 503,
 * and is killed with SIGKILL while the retry waits for its backoff; a new api process on the same
 * database sends the retry, under the same delivery id and signed with the webhook's secret,
 * and the delivery log it serves shows both attempts.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { MikroORM } from "@mikro-orm/postgresql";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignatureValid } from "../alerts/webhook-signature.js";
import type { Child } from "../cli/child-process.js";
import { Account, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { issueApiKey } from "../identity/api-keys.js";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { apiEnv, startApi, startHead, startWorker } from "../testing/local-cluster.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";

const REPLAY = fileURLToPath(new URL("../../../cluster/telemetry/two-gpus-heat-cycle.csv", import.meta.url));
/** Long enough that the first api is killed before the retry falls due. */
const BACKOFF_MS = 3_000;
/** Bounds on waits that end as soon as what they wait for happens. */
const WAIT_MS = 60_000;
const POLL_MS = 50;
const ADD = "mutation($url: String!) { addAlertWebhook(input: { url: $url }) { secret webhook { id } } }";
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

describe("alert webhooks across an api killed mid-retry", () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let adminKey: string;
  let server: Server;
  const received: Received[] = [];
  const children: Child[] = [];

  before(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    const em = orm.em.fork();
    const admin = em.create(Account, { name: "hook-admin", role: Role.ADMIN });
    adminKey = issueApiKey(em, admin).key;
    await em.persist(admin).flush();
    // Each delivery's first attempt is refused with 503, its retries accepted.
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const id = req.headers["x-neurogrid-delivery"];
        const seen = received.some((r) => r.headers["x-neurogrid-delivery"] === id);
        received.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.statusCode = seen ? 200 : 503;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });

  after(async () => {
    for (const child of children.reverse()) await child.stop();
    server?.close();
    await orm?.close();
    await db?.drop();
  });

  test("the retry of a delivery is sent by the next api process after the first is killed", async () => {
    const head = await startHead(["--heartbeat-interval-ms", "100"]);
    children.push(head.child);
    const env = apiEnv(db.url, uniquePrefix("hook-kill"), head.address, {
      NEUROGRID_ALERT_COOLDOWN_MS: "600000",
      NEUROGRID_ALERT_WEBHOOK_BACKOFF_MS: String(BACKOFF_MS),
      NEUROGRID_ALERT_WEBHOOK_ATTEMPTS: "3",
    });
    const first = await startApi(env);
    children.push(first.child);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
    const added = await graphqlRequest<{ addAlertWebhook: { secret: string; webhook: { id: string } } }>(
      first.url,
      adminKey,
      ADD,
      { url },
    );
    const hook = added.data?.addAlertWebhook;
    assert.ok(hook, JSON.stringify(added.errors));
    children.push(
      await startWorker(head.address, "hot-node", [
        "--telemetry-replay",
        REPLAY,
        "--telemetry-interval-ms",
        "250",
      ]),
    );

    const attempt1 = await waitFor("the first attempt", () => received[0]);
    const deliveryId = String(attempt1.headers["x-neurogrid-delivery"]);
    await waitFor("its retry scheduled", async () => {
      const rows = await orm.em
        .fork()
        .execute<{ attempt: number }[]>("select attempt from alert_webhook_outbox where delivery_id = ?", [
          deliveryId,
        ]);
      return rows[0]?.attempt === 2 ? true : undefined;
    });
    first.child.process.kill("SIGKILL");
    await first.child.stop();
    assert.equal(
      received.filter((r) => r.headers["x-neurogrid-delivery"] === deliveryId).length,
      1,
      "killed before the retry was due",
    );

    const second = await startApi(env);
    children.push(second.child);
    const attempt2 = await waitFor("the retry from the new api process", () =>
      received.slice(1).find((r) => r.headers["x-neurogrid-delivery"] === deliveryId),
    );
    assert.ok(attempt2.at - attempt1.at >= BACKOFF_MS, `retried ${attempt2.at - attempt1.at} ms later`);
    assert.equal(attempt2.body, attempt1.body, "the same event");
    assert.ok(
      webhookSignatureValid(
        hook.secret,
        String(attempt2.headers[TIMESTAMP_HEADER]),
        attempt2.body,
        String(attempt2.headers[SIGNATURE_HEADER]),
      ),
    );
    const log = await waitFor("both attempts in the log", async () => {
      const res = await graphqlRequest<{
        alertWebhookDeliveries: { deliveryId: string; attempt: number; ok: boolean; statusCode: number }[];
      }>(second.url, adminKey, DELIVERIES, { id: hook.webhook.id });
      const rows = (res.data?.alertWebhookDeliveries ?? []).filter((d) => d.deliveryId === deliveryId);
      return rows.length >= 2 ? rows : undefined;
    });
    assert.deepEqual(
      log.map((d) => [d.attempt, d.ok, d.statusCode]),
      [
        [2, true, 200],
        [1, false, 503],
      ],
    );
  });
});
