/**
 * With the head gone and the only replica's worker killed, a task submitted next fails within
 * seconds, refunded, with a reason a client understands (no live replica, the head unreachable)
 * — not after the task's 60 s timeout as "timed out". Real head, worker and api processes, as
 * `neurogrid up` runs them, killed with SIGKILL.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import type { Child } from "../cli/child-process.js";
import { migrate, openOrm } from "../db/orm.js";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { graphqlRequest } from "../testing/graphql-clients.js";
import { apiEnv, startApi, startHead, startWorker } from "../testing/local-cluster.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";
import { type Fixture, seedFixture } from "./fixture.js";

const SUBMIT = `mutation($f: [[Float!]!]!) { submitTask(input: { model: "mlp-classifier", input: { features: $f } }) { id } }`;
const TASK = `query($id: ID!) { task(id: $id) { status error } }`;
const FEATURES = [Array.from({ length: 16 }, (_, i) => i / 16)];

describe("no live replica and no head", { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let fx: Fixture;
  let url: string;
  let head: { child: Child; address: string };
  let worker: Child;
  const children: Child[] = [];

  before(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    fx = await seedFixture(orm, ["lost-worker"], 1_000_000_000n);
    head = await startHead();
    children.push(head.child);
    worker = await startWorker(head.address, "lost-worker");
    children.push(worker);
    const api = await startApi(apiEnv(db.url, uniquePrefix("no-replica"), head.address));
    children.push(api.child);
    url = api.url;
  });

  after(async () => {
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
  });

  async function final(id: string): Promise<{ status: string; error: string | null }> {
    for (let i = 0; i < 450; i++) {
      const read = await graphqlRequest<{ task: { status: string; error: string | null } }>(
        url,
        fx.clientKey,
        TASK,
        { id },
      );
      const task = read.data?.task;
      if (task && ["COMPLETED", "FAILED", "CANCELLED"].includes(task.status)) return task;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`task ${id} is not final after 45 s`);
  }

  async function submit(): Promise<string> {
    const res = await graphqlRequest<{ submitTask: { id: string } }>(url, fx.clientKey, SUBMIT, {
      f: FEATURES,
    });
    const id = res.data?.submitTask.id;
    assert.ok(id, JSON.stringify(res.errors));
    return id;
  }

  test("a task fails promptly with the reason, refunded, instead of timing out", async () => {
    assert.equal((await final(await submit())).status, "COMPLETED", "the replica served a task");
    const exited = [once(worker.process, "exit"), once(head.child.process, "exit")];
    worker.process.kill("SIGKILL");
    head.child.process.kill("SIGKILL");
    await Promise.all(exited);
    const before = await balancesOf(orm.em.fork(), fx.clientId);
    const id = await submit();
    const task = await final(id);
    assert.equal(task.status, "FAILED");
    assert.match(task.error ?? "", /no live replica/);
    assert.match(task.error ?? "", /head is unreachable/);
    assert.doesNotMatch(task.error ?? "", /timed out/);
    const after = await balancesOf(orm.em.fork(), fx.clientId);
    assert.equal(after.held, 0n, "nothing left held");
    assert.equal(after.available, before.available, "refunded in full");
    assert.equal((await checkLedger(orm.em.fork())).ok, true);
  });
});
