/** The GPU metrics history on a real PostgreSQL: 1 s rows, minute averages, retention, steps. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { migrate, openOrm } from "../db/orm.js";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.js";
import { downsampleAndPrune, MINUTE_RETENTION_MS, queryMetrics, recordSamples } from "./gpu-metrics-store.js";

let db: TestDatabase;
let orm: MikroORM;
const T0 = Date.parse("2026-12-06T10:00:00Z");
const gpu = (index: number, temperatureC: number) => ({
  index,
  uuid: `GPU-${index}`,
  name: "test",
  temperatureC,
  utilizationPct: 50,
  memoryUsedMb: 1000,
  memoryTotalMb: 8000,
  powerDrawW: 100,
  powerLimitW: 250,
});

before(async () => {
  db = await createTestDatabase();
  orm = await openOrm(db.url);
  await migrate(orm);
});

after(async () => {
  await orm?.close();
  await db?.drop();
});

test("samples are kept per second, averaged per minute, and pruned past their retention", async () => {
  const em = orm.em.fork();
  // Two minutes of one sample a second: GPU 0 at 60 °C then 80 °C; a repeated second is one row.
  const samples = Array.from({ length: 120 }, (_, s) => ({
    nodeId: "n1",
    atMs: T0 + s * 1000 + 250,
    gpu: gpu(0, s < 60 ? 60 : 80),
  }));
  await recordSamples(em, samples);
  await recordSamples(em, samples.slice(0, 10));
  const [{ n } = { n: "0" }] = await em.execute<{ n: string }[]>(
    "select count(*) as n from gpu_metrics where resolution_s = 1",
  );
  assert.equal(Number(n), 120);

  const now = T0 + 3 * 60_000;
  await downsampleAndPrune(em, now);
  await downsampleAndPrune(em, now); // a repeated run changes nothing
  const minutes = await queryMetrics(em, {
    nodeId: "n1",
    gpu: 0,
    from: new Date(T0),
    to: new Date(now),
    stepS: 60,
    nowMs: now,
  });
  assert.deepEqual(
    minutes.map((p) => [p.at.toISOString(), p.temperatureC]),
    [
      ["2026-12-06T10:00:00.000Z", 60],
      ["2026-12-06T10:01:00.000Z", 80],
    ],
  );
  const tenSeconds = await queryMetrics(em, {
    nodeId: "n1",
    gpu: 0,
    from: new Date(T0 + 50_000),
    to: new Date(T0 + 79_000),
    stepS: 10,
    nowMs: now,
  });
  assert.deepEqual(
    tenSeconds.map((p) => p.temperatureC),
    [60, 80, 80],
  );

  // An hour later the 1 s rows are gone, the minutes stay; 30 days later those go too.
  await downsampleAndPrune(em, T0 + 2 * 3600_000);
  const later = await queryMetrics(em, {
    nodeId: "n1",
    gpu: 0,
    from: new Date(T0),
    to: new Date(T0 + 120_000),
    stepS: 1,
    nowMs: T0 + 2 * 3600_000,
  });
  assert.equal(later.length, 2, "an old range reads the minute rows");
  const [{ raw } = { raw: "1" }] = await em.execute<{ raw: string }[]>(
    "select count(*) as raw from gpu_metrics where resolution_s = 1",
  );
  assert.equal(Number(raw), 0);
  await downsampleAndPrune(em, T0 + MINUTE_RETENTION_MS + 3600_000);
  const [{ total } = { total: "1" }] = await em.execute<{ total: string }[]>(
    "select count(*) as total from gpu_metrics",
  );
  assert.equal(Number(total), 0);
});
