/**
 * RedisStorage over a real Redis: when Redis comes back without the head's tables (a restart
 * without persistence), the storage writes back everything it had written, so a head started
 * later loads them and adopts what is alive. The loss is played on the shared Redis without
 * stopping it: the storage's keys are deleted and its own connection is killed (CLIENT KILL ID),
 * which is what a restart looks like to the storage.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { Redis } from "ioredis";
import { RedisStorage } from "./redis-storage.js";
import type { StoredActor, StoredNode } from "./storage.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const node: StoredNode = {
  nodeId: "n1",
  address: "127.0.0.1:1",
  total: { cpus: 2, memoryMb: 1024, gpus: [] } as unknown as StoredNode["total"],
  labels: {},
};
const actor = { info: { actorId: "a1", name: "x", namespace: "ns" }, spec: {} } as unknown as StoredActor;

async function until<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("tables lost by Redis are written back when the storage reconnects; a later head loads them", async () => {
  const prefix = `neurogrid-test:storage:${randomUUID()}:`;
  const lines: string[] = [];
  const storage = new RedisStorage({ url: REDIS_URL, prefix, log: (m) => lines.push(m) });
  const admin = new Redis(REDIS_URL);
  try {
    await storage.load();
    storage.putNode(node);
    storage.putActor(actor);
    storage.putName("ns/x", "a1");
    storage.putRevoked("n-old");
    storage.deleteNode("n-gone");
    await storage.flush();

    // Redis loses everything under the prefix, and the storage's connection drops.
    const keys = await admin.keys(`${prefix}*`);
    await admin.del(...keys);
    const clients = (await admin.client("LIST")) as string;
    const mine = clients.split("\n").find((l) => l.includes(`name=neurogrid-head-storage:${prefix}`));
    const id = /\bid=(\d+)/.exec(mine ?? "")?.[1];
    assert.ok(id, "the storage's connection is named");
    await admin.client("KILL", "ID", id);

    await until("the tables written back", async () =>
      (await admin.exists(`${prefix}marker`)) === 1 ? true : undefined,
    );
    const later = new RedisStorage({ url: REDIS_URL, prefix, log: () => {} });
    try {
      const tables = await later.load();
      assert.deepEqual(
        tables.nodes.map((n) => n.nodeId),
        ["n1"],
      );
      assert.deepEqual(
        tables.actors.map((a) => a.info.actorId),
        ["a1"],
      );
      assert.equal(tables.names.get("ns/x"), "a1");
      assert.deepEqual(tables.revoked, ["n-old"]);
    } finally {
      await later.close();
    }
    assert.ok(
      lines.some((l) => /wrote back 4 rows/.test(l)),
      lines.join("\n"),
    );
  } finally {
    await storage.close();
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  }
});
