/**
 * The webhook outbox on a real PostgreSQL, as two api processes share it: a due delivery is
 * claimed by one of them only; a claim whose holder died (its lease ran out) is taken over; a
 * rescheduled delivery waits for its due time under the next attempt's number; a delivery to a
 * removed webhook comes back flagged so it is dropped, not sent.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { Account, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.js";
import {
  claimDueDeliveries,
  enqueueDeliveries,
  finishDelivery,
  nextClaimableInMs,
  rescheduleDelivery,
} from "./webhook-outbox.js";
import { addWebhook, removeWebhook } from "./webhook-store.js";

const LEASE_MS = 300;
const LONG_LEASE_MS = 60_000;
const BATCH = 10;
/** Bound on waits that end as soon as what they wait for happens. */
const WAIT_MS = 10_000;

let db: TestDatabase;
let orm: MikroORM;
let adminId: string;

before(async () => {
  db = await createTestDatabase();
  orm = await openOrm(db.url);
  await migrate(orm);
  const em = orm.em.fork();
  const admin = em.create(Account, { name: "outbox-admin", role: Role.ADMIN });
  await em.persist(admin).flush();
  adminId = admin.id;
});

after(async () => {
  await orm?.close();
  await db?.drop();
});

async function enqueue(webhookId: string): Promise<string> {
  const id = randomUUID();
  await enqueueDeliveries(orm.em.fork(), [
    { delivery_id: id, webhook_id: webhookId, event: "gpu_alert.opened", alert_id: null, body: "{}" },
  ]);
  return id;
}

test("one claimant per due delivery; an expired lease is taken over; a retry waits for its due time", async () => {
  const hook = await addWebhook(orm.em.fork(), {
    url: "http://127.0.0.1:9/x",
    secret: "whsec_x",
    by: adminId,
  });
  const id = await enqueue(hook.id);

  // Two processes look at once: exactly one gets it.
  const [a, b] = await Promise.all([
    claimDueDeliveries(orm.em.fork(), LEASE_MS, BATCH),
    claimDueDeliveries(orm.em.fork(), LEASE_MS, BATCH),
  ]);
  assert.deepEqual(
    [...a, ...b].map((d) => [d.delivery_id, d.attempt, d.url, d.removed]),
    [[id, 1, hook.url, false]],
  );

  // Its holder dies without a word: once the lease has run out, another process takes it over.
  const deadline = Date.now() + WAIT_MS;
  let taken: Awaited<ReturnType<typeof claimDueDeliveries>> = [];
  while (taken.length === 0 && Date.now() < deadline) {
    taken = await claimDueDeliveries(orm.em.fork(), LONG_LEASE_MS, BATCH);
  }
  assert.deepEqual(
    taken.map((d) => [d.delivery_id, d.attempt]),
    [[id, 1]],
  );

  // A failed attempt: the next one, numbered 2, is due later and nobody may claim it before.
  await rescheduleDelivery(orm.em.fork(), id, LONG_LEASE_MS);
  assert.deepEqual(await claimDueDeliveries(orm.em.fork(), LEASE_MS, BATCH), []);
  const next = await nextClaimableInMs(orm.em.fork());
  assert.ok(next !== undefined && next > LONG_LEASE_MS / 2 && next <= LONG_LEASE_MS, `next in ${next} ms`);
  const [row] = await orm.em
    .fork()
    .execute<{ attempt: number }[]>("select attempt from alert_webhook_outbox where delivery_id = ?", [id]);
  assert.equal(row?.attempt, 2);

  await finishDelivery(orm.em.fork(), id);
  assert.equal(await nextClaimableInMs(orm.em.fork()), undefined, "nothing left to send");
});

test("a delivery to a webhook removed since it was queued is claimed flagged, to be dropped", async () => {
  const hook = await addWebhook(orm.em.fork(), {
    url: "http://127.0.0.1:9/y",
    secret: "whsec_y",
    by: adminId,
  });
  const id = await enqueue(hook.id);
  assert.equal(await removeWebhook(orm.em.fork(), hook.id), true);
  const claimed = await claimDueDeliveries(orm.em.fork(), LEASE_MS, BATCH);
  assert.deepEqual(
    claimed.map((d) => [d.delivery_id, d.removed]),
    [[id, true]],
  );
});
