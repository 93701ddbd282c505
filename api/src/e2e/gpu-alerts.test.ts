/**
 * GPU alerts end to end: a worker replays recorded nvidia-smi output in which GPU 1 heats up to
 * 93 °C and cools down; the api turns the head's telemetry into an alert that opens (warning),
 * escalates (critical) and resolves, stored in PostgreSQL and pushed to gpuAlerts subscribers.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { MikroORM } from "@mikro-orm/postgresql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { Child } from "../cli/child-process.js";
import { Account, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { issueApiKey } from "../identity/api-keys.js";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { apiEnv, startApi, startHead, startWorker } from "../testing/local-cluster.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";

const REPLAY = fileURLToPath(new URL("../../../cluster/telemetry/two-gpus-heat-cycle.csv", import.meta.url));

describe("GPU alerts", () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let url: string;
  let adminKey: string;
  let headAddress: string;
  const children: Child[] = [];

  before(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    const em = orm.em.fork();
    const admin = em.create(Account, { name: "alert-admin", role: Role.ADMIN });
    adminKey = issueApiKey(em, admin).key;
    await em.persist(admin).flush();
    // Heartbeats (which carry the latest sample) more often than the replay advances, so the
    // head sees every sample.
    const head = await startHead(["--heartbeat-interval-ms", "100"]);
    headAddress = head.address;
    children.push(head.child);
    const api = await startApi(
      apiEnv(db.url, uniquePrefix("alerts"), head.address, {
        NEUROGRID_ALERT_COOLDOWN_MS: "600000",
      }),
    );
    children.push(api.child);
    url = api.url;
  });

  after(async () => {
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
  });

  test("a GPU heating past 80 and 90 °C opens, escalates and resolves one alert", async () => {
    const events: {
      change: string;
      alert: { gpuIndex: number; metric: string; level: string; value: number };
    }[] = [];
    const client = createClient({
      url: url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${adminKey}` },
      retryAttempts: 0,
    });
    client.subscribe<{ gpuAlerts: (typeof events)[number] }>(
      { query: "subscription { gpuAlerts { change alert { gpuIndex metric level value } } }" },
      { next: (v) => v.data && events.push(v.data.gpuAlerts), error: () => {}, complete: () => {} },
    );
    await new Promise((r) => setTimeout(r, 1000));
    children.push(
      await startWorker(headAddress, "hot-node", [
        "--telemetry-replay",
        REPLAY,
        "--telemetry-interval-ms",
        "250",
      ]),
    );
    for (let i = 0; i < 400 && !events.some((e) => e.change === "resolved"); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await client.dispose();
    assert.deepEqual(
      events.map((e) => `${e.change}:${e.alert.metric}:${e.alert.gpuIndex}:${e.alert.level}`),
      ["opened:temperature:1:warning", "escalated:temperature:1:critical", "resolved:temperature:1:critical"],
    );
    assert.ok((events[0]?.alert.value ?? 0) >= 80);
    const stored = await graphqlRequest<{
      alerts: { level: string; resolvedAt: string | null; nodeId: string }[];
    }>(url, adminKey, "{ alerts { nodeId level value threshold startedAt resolvedAt } }");
    assert.equal(stored.data?.alerts.length, 1, JSON.stringify(stored));
    assert.equal(stored.data?.alerts[0]?.nodeId, "hot-node");
    assert.equal(stored.data?.alerts[0]?.level, "critical");
    assert.ok(stored.data?.alerts[0]?.resolvedAt, "resolved once it cooled");
  });
});
