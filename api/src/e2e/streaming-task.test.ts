/**
 * A GraphQL task on the streaming language model (char-trigram-lm, priced per output token),
 * with a real head, worker and api: each token reaches the taskProgress subscription as it is
 * produced, in order, and the finished task holds the same text and is charged exactly its
 * tokens; a task cancelled mid-stream stops within one step and is charged only the tokens it
 * produced (escrow for the rest released, provider credited for those). The queue is paused
 * until the subscriber listens, so it sees every token live.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import { Queue } from "bullmq";
import type { Child } from "../cli/child-process.js";
import { migrate, openOrm } from "../db/orm.js";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { TASK_QUEUE } from "../tasks/task-queue.js";
import { collectSubscription, errorCode, graphqlRequest } from "../testing/graphql-clients.js";
import { apiEnv, startApi, startHead, startWorker } from "../testing/local-cluster.js";
import {
  createTestDatabase,
  type TestDatabase,
  testRedisUrl,
  uniquePrefix,
} from "../testing/test-database.js";
import { type Fixture, seedFixture } from "./fixture.js";

const PRICE_PER_TOKEN = 10_000n; // char-trigram-lm's price per output token
const SUBMIT = `mutation($input: SubmitTaskInput!) { submitTask(input: $input) { id status maxPrice } }`;
const TASK = `query($id: ID!) { task(id: $id) { status result error cost { total units providerEarning } } }`;
const PROGRESS = `subscription($id: ID!) { taskProgress(taskId: $id) { status token tokenIndex } }`;
const CANCEL = `mutation($id: ID!) { cancelTask(id: $id) { status } }`;

interface Progress {
  taskProgress: { status: string; token: string | null; tokenIndex: number | null };
}

describe("a streaming GraphQL task", { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let fx: Fixture;
  let url: string;
  let queue: Queue;
  const children: Child[] = [];

  before(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    fx = await seedFixture(orm, ["stream-worker"], 1_000_000_000n);
    const head = await startHead();
    children.push(head.child);
    children.push(await startWorker(head.address, "stream-worker"));
    const prefix = uniquePrefix("streaming");
    const api = await startApi(apiEnv(db.url, prefix, head.address));
    children.push(api.child);
    url = api.url;
    queue = new Queue(TASK_QUEUE, { connection: { url: testRedisUrl() }, prefix: `${prefix}:bull` });
  });

  after(async () => {
    await queue?.close();
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
  });

  /** Submits with the queue paused, subscribes, then lets the task run. */
  async function submitAndWatch(input: Record<string, unknown>, onNext?: (e: Progress) => void) {
    await queue.pause();
    const submitted = await graphqlRequest<{ submitTask: { id: string; maxPrice: string } }>(
      url,
      fx.clientKey,
      SUBMIT,
      { input: { model: "char-trigram-lm", input } },
    );
    const id = submitted.data?.submitTask.id ?? "";
    assert.ok(id, JSON.stringify(submitted.errors));
    // The subscription replays QUEUED from the row once it listens: then the task may run.
    let listening: () => void = () => {};
    const heardFirst = new Promise<void>((r) => {
      listening = r;
    });
    const watched = collectSubscription<Progress>(
      url,
      { authorization: `Bearer ${fx.clientKey}` },
      PROGRESS,
      { id },
      60_000,
      (e) => {
        listening();
        onNext?.(e);
      },
    );
    await Promise.race([heardFirst, watched]);
    await queue.resume();
    return { id, maxPrice: BigInt(submitted.data?.submitTask.maxPrice ?? "0"), watched };
  }

  test("streams each token through taskProgress, in order, and charges exactly the tokens", async () => {
    const before = await balancesOf(orm.em.fork(), fx.clientId);
    const { id, maxPrice, watched } = await submitAndWatch({ prompt: "Alice was beginning", maxTokens: 40 });
    assert.equal(maxPrice, 40n * PRICE_PER_TOKEN, "escrow: price x maxTokens");
    const { events, errors } = await watched;
    assert.deepEqual(errors, []);
    const statuses = events.filter((e) => e.taskProgress.token === null).map((e) => e.taskProgress.status);
    assert.deepEqual(statuses, ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]);
    const tokens = events.filter((e) => e.taskProgress.token !== null).map((e) => e.taskProgress);
    assert.deepEqual(
      tokens.map((t) => t.tokenIndex),
      Array.from({ length: 40 }, (_, i) => i),
      "every token, in order",
    );
    assert.ok(tokens.every((t) => t.status === "RUNNING"));
    const runningAt = events.findIndex((e) => e.taskProgress.status === "RUNNING");
    const completedAt = events.findIndex((e) => e.taskProgress.status === "COMPLETED");
    assert.ok(
      events.slice(runningAt + 1, completedAt).every((e) => e.taskProgress.token !== null),
      "tokens come between RUNNING and COMPLETED",
    );
    const task = await graphqlRequest<{
      task: { status: string; result: { text: string }; cost: { total: string; units: string } };
    }>(url, fx.clientKey, TASK, { id });
    assert.equal(task.data?.task.status, "COMPLETED");
    assert.equal(task.data?.task.result.text, tokens.map((t) => t.token).join(""));
    assert.equal(task.data?.task.cost.units, "40");
    assert.equal(BigInt(task.data?.task.cost.total ?? "0"), 40n * PRICE_PER_TOKEN);
    const after = await balancesOf(orm.em.fork(), fx.clientId);
    assert.equal(before.available - after.available, 40n * PRICE_PER_TOKEN);
    assert.equal(after.held, 0n);
  });

  test("a task cancelled mid-stream stops within one step and pays only the tokens produced", async () => {
    const before = await balancesOf(orm.em.fork(), fx.clientId);
    let cancelled: Promise<unknown> | undefined;
    let id = "";
    const watching = await submitAndWatch({ prompt: "Alice was beginning", maxTokens: 512 }, (e) => {
      if (e.taskProgress.tokenIndex === 4 && !cancelled) {
        cancelled = graphqlRequest<{ cancelTask: { status: string } }>(url, fx.clientKey, CANCEL, { id });
      }
    });
    id = watching.id;
    const { events } = await watching.watched;
    const answer = (await cancelled) as { data?: { cancelTask: { status: string } } };
    assert.equal(answer.data?.cancelTask.status, "CANCELLED", JSON.stringify(answer));
    assert.equal(events.at(-1)?.taskProgress.status, "CANCELLED");
    const streamed = events.filter((e) => e.taskProgress.token !== null).length;
    assert.ok(streamed >= 5 && streamed < 512, `${streamed} tokens streamed before the stop`);
    const task = await graphqlRequest<{
      task: {
        status: string;
        result: { text: string };
        cost: { total: string; units: string; providerEarning: string };
      };
    }>(url, fx.clientKey, TASK, { id });
    const units = BigInt(task.data?.task.cost.units ?? "-1");
    assert.equal(units, BigInt(streamed), "charged exactly the tokens the subscriber received");
    assert.equal(task.data?.task.result.text.length, streamed);
    assert.equal(BigInt(task.data?.task.cost.total ?? "0"), units * PRICE_PER_TOKEN);
    assert.ok(BigInt(task.data?.task.cost.providerEarning ?? "0") > 0n, "the provider is paid for them");
    const after = await balancesOf(orm.em.fork(), fx.clientId);
    assert.equal(
      before.available - after.available,
      units * PRICE_PER_TOKEN,
      "the rest of the escrow released",
    );
    assert.equal(after.held, 0n);
    assert.equal((await checkLedger(orm.em.fork())).ok, true);
  });

  test("refuses tensor input for a language model, and a prompt without maxTokens gets the default", async () => {
    const bad = await graphqlRequest(url, fx.clientKey, SUBMIT, {
      input: { model: "char-trigram-lm", input: { tokens: [[1, 2]] } },
    });
    assert.equal(errorCode(bad), "BAD_USER_INPUT");
    // A prompt with characters the model's vocabulary lacks is refused at submit, naming them,
    // before anything is held (it used to be held, then fail on the replica).
    const heldBefore = (await balancesOf(orm.em.fork(), fx.clientId)).held;
    const unreadable = await graphqlRequest(url, fx.clientKey, SUBMIT, {
      input: { model: "char-trigram-lm", input: { prompt: "zebra 42" } },
    });
    assert.equal(errorCode(unreadable), "BAD_USER_INPUT");
    assert.match(unreadable.errors?.[0]?.message ?? "", /not in the model's vocabulary: .*"z"/);
    assert.equal((await balancesOf(orm.em.fork(), fx.clientId)).held, heldBefore, "nothing held");
    const ok = await graphqlRequest<{ submitTask: { maxPrice: string } }>(url, fx.clientKey, SUBMIT, {
      input: { model: "char-trigram-lm", input: { prompt: "Alice" } },
    });
    assert.equal(BigInt(ok.data?.submitTask.maxPrice ?? "0"), 64n * PRICE_PER_TOKEN);
  });
});
