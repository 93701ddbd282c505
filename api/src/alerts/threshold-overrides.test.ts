/** An admin's thresholds on a real PostgreSQL, and the alert engine honouring them. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { Account, Role } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.js";
import { AlertEngine } from "./alert-engine.js";
import { removeThreshold, setThreshold, ThresholdOverrides } from "./threshold-overrides.js";
import { DEFAULT_THRESHOLDS } from "./thresholds.js";

let db: TestDatabase;
let orm: MikroORM;
let adminId: string;
const gpu = (index: number, temperatureC: number) => ({
  index,
  uuid: `GPU-${index}`,
  name: "test",
  temperatureC,
});

before(async () => {
  db = await createTestDatabase();
  orm = await openOrm(db.url);
  await migrate(orm);
  const em = orm.em.fork();
  const admin = em.create(Account, { name: "thresholds-admin", role: Role.ADMIN });
  await em.persist(admin).flush();
  adminId = admin.id;
});

after(async () => {
  await orm?.close();
  await db?.drop();
});

test("a GPU's own threshold wins over its node's, which wins over the default", async () => {
  const em = orm.em.fork();
  await setThreshold(em, {
    nodeId: "n1",
    gpuIndex: -1,
    metric: "temperature",
    warning: 60,
    critical: 70,
    by: adminId,
  });
  await setThreshold(em, {
    nodeId: "n1",
    gpuIndex: 1,
    metric: "temperature",
    warning: 50,
    critical: 55,
    by: adminId,
  });
  const overrides = new ThresholdOverrides();
  await overrides.load(em);
  assert.deepEqual(overrides.lookup("n1", 0, "temperature"), { warning: 60, critical: 70 });
  assert.deepEqual(overrides.lookup("n1", 1, "temperature"), { warning: 50, critical: 55 });
  assert.equal(overrides.lookup("n1", 0, "power"), undefined);
  assert.equal(overrides.lookup("n2", 0, "temperature"), undefined);

  const engine = new AlertEngine(DEFAULT_THRESHOLDS, 0, overrides.lookup);
  const n1 = engine.evaluate("n1", [gpu(0, 65), gpu(1, 56)], 1000);
  assert.deepEqual(
    n1.map((c) => [c.gpuIndex, c.change, c.level, c.threshold]),
    [
      [0, "opened", "warning", 60],
      [1, "opened", "critical", 55],
    ],
  );
  assert.deepEqual(
    engine.evaluate("n2", [gpu(0, 65)], 1000),
    [],
    "the default (80 °C) still holds elsewhere",
  );

  assert.equal(await removeThreshold(em, { nodeId: "n1", gpuIndex: 1, metric: "temperature" }), true);
  await overrides.load(em);
  assert.deepEqual(overrides.lookup("n1", 1, "temperature"), { warning: 60, critical: 70 });
});
