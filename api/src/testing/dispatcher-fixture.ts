/**
 * Test support for the dispatcher's tests: a migrated test database with the e2e fixture seeded
 * (registered as the file's before/after hooks), the model's input, and polling helpers.
 */
import { after, before } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { Task } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { type Fixture, seedFixture } from "../e2e/fixture.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";

/** An mlp-classifier input. */
export const FEATURES = { features: [Array.from({ length: 16 }, () => 1)] };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` every 25 ms until it gives a value (10 s at most). */
export async function until<T>(what: string, read: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A database for this test file, seeded with a client, a provider and these nodes. */
export function seededDatabase(nodes: string[]): { orm: () => MikroORM; fx: () => Fixture } {
  let db: TestDatabase | undefined;
  let orm: MikroORM | undefined;
  let fx: Fixture | undefined;
  before(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    fx = await seedFixture(orm, nodes, 10_000_000_000n);
  });
  after(async () => {
    await orm?.close();
    await db?.drop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the test database is not set up yet");
    return value;
  };
  return { orm: () => ready(orm), fx: () => ready(fx) };
}

/** The task once it has finished (its row has finished_at). */
export function finishedTask(orm: MikroORM, id: string): Promise<Task> {
  return until(`task ${id} to finish`, async () => {
    const task = await orm.em.fork().findOneOrFail(Task, id);
    return task.finishedAt ? task : undefined;
  });
}
