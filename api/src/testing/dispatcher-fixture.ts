/**
 * Test support for the dispatcher's tests: a migrated test database with the e2e fixture seeded
 * (registered as the file's before/after hooks), the model's input, and polling helpers.
 */
import { randomUUID } from "node:crypto";
import { after, before } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { TaskStatus } from "@neurogrid/schema";
import { Task } from "../db/entities/index.js";
import { migrate, openOrm } from "../db/orm.js";
import { type Fixture, seedFixture } from "../e2e/fixture.js";
import type { TaskEventBus } from "../tasks/task-events.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";

/** An mlp-classifier input. */
export const FEATURES = { features: [Array.from({ length: 16 }, () => 1)] };

/** What an mlp-classifier replica answers for one row (its declared outputs). */
export const MLP_OUTPUTS = { logits: [[0, 0, 0, 1]], probabilities: [[0.1, 0.2, 0.3, 0.4]] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` every 25 ms until it gives a value (10 s at most). */
export async function until<T>(what: string, read: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Resolves once every event published so far through `events` has reached `heard` (the test's
 * own subscriber to the prefix's task events): a marker published after them on the same
 * connection arrives after them, as Redis delivers one connection's publishes in order. What a
 * test that checks nothing MORE was announced awaits, instead of a fixed sleep.
 */
export async function announcedSoFar(
  events: TaskEventBus,
  heard: readonly { taskId: string }[],
): Promise<void> {
  const marker = `marker-${randomUUID()}`;
  await events.publish({ taskId: marker, status: TaskStatus.QUEUED, at: new Date().toISOString() });
  await until("the marker event", () => (heard.some((e) => e.taskId === marker) ? true : undefined));
}

/** Resolves once a statement of this database waits on a lock another transaction holds. */
export function aStatementWaitsOnALock(orm: MikroORM): Promise<true> {
  return until("a statement waiting on a lock", async () => {
    const [row] = await orm.em
      .fork()
      .execute<{ n: string }[]>(
        "select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
    return Number(row?.n) > 0 ? true : undefined;
  });
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
