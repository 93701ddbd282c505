/**
 * The OpenAI-compatible endpoint, driven by the official `openai` npm client against a real api,
 * head and worker: models, a completion, a streamed completion (server-sent events), per-token
 * charging through the ledger, typed errors.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { MikroORM } from "@mikro-orm/postgresql";
import OpenAI from "openai";
import type { Child } from "../cli/child-process.js";
import { migrate, openOrm } from "../db/orm.js";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { apiEnv, startApi, startHead, startWorker } from "../testing/local-cluster.js";
import { createTestDatabase, type TestDatabase, uniquePrefix } from "../testing/test-database.js";
import { type Fixture, seedFixture } from "./fixture.js";

const PRICE_PER_TOKEN = 10_000n; // char-trigram-lm's price per output token

describe("OpenAI-compatible endpoint", () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let fx: Fixture;
  let openai: OpenAI;
  let baseURL: string;
  const children: Child[] = [];

  before(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await migrate(orm);
    fx = await seedFixture(orm, ["oa-worker"], 1_000_000_000n);
    const head = await startHead();
    children.push(head.child);
    children.push(await startWorker(head.address, "oa-worker"));
    const api = await startApi(apiEnv(db.url, uniquePrefix("openai"), head.address));
    children.push(api.child);
    baseURL = new URL("/v1", api.url).toString();
    openai = new OpenAI({ baseURL, apiKey: fx.clientKey, maxRetries: 0 });
  });

  after(async () => {
    for (const child of children.reverse()) await child.stop();
    await orm?.close();
    await db?.drop();
  });

  test("models lists every model with its task kind; retrieve finds one by id, 404 for none", async () => {
    const models = await openai.models.list();
    const kinds = Object.fromEntries(
      models.data.map((m) => [m.id, (m as unknown as { task_kind: string }).task_kind]),
    );
    assert.equal(kinds["char-trigram-lm"], "generate");
    assert.equal(kinds.ocr, "ocr");
    assert.equal(kinds["silero-vad"], "vad");
    assert.equal(kinds["mlp-classifier"], "tensor");
    const ocr = await openai.models.retrieve("ocr");
    assert.equal(ocr.id, "ocr");
    assert.equal(ocr.object, "model");
    assert.equal((ocr as unknown as { version: string }).version, "1");
    await assert.rejects(openai.models.retrieve("no-such-model"), (err: unknown) => {
      assert.ok(err instanceof OpenAI.NotFoundError, String(err));
      assert.equal(err.status, 404);
      return true;
    });
  });

  test("a completion is charged exactly its tokens; streaming gives the same text", async () => {
    const before = await balancesOf(orm.em.fork(), fx.clientId);
    const completion = await openai.chat.completions.create({
      model: "char-trigram-lm",
      messages: [{ role: "user", content: "Alice was beginning" }],
      max_tokens: 24,
    });
    const text = completion.choices[0]?.message.content ?? "";
    assert.equal([...text].length, 24);
    assert.equal(completion.usage?.completion_tokens, 24);
    const after = await balancesOf(orm.em.fork(), fx.clientId);
    assert.equal(before.available - after.available, 24n * PRICE_PER_TOKEN, "paid per token");
    assert.equal(after.held, 0n);

    const stream = await openai.chat.completions.create({
      model: "char-trigram-lm",
      messages: [{ role: "user", content: "Alice was beginning" }],
      max_tokens: 24,
      stream: true,
    });
    const pieces: string[] = [];
    for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? "");
    assert.equal(pieces.join(""), text, "greedy decoding: the same text, token by token");
    assert.ok(pieces.filter((p) => p.length > 0).length >= 24, "one event per token");
    assert.equal((await checkLedger(orm.em.fork())).ok, true);
  });

  test("bad input, a bad key and an unknown model get OpenAI-shaped errors", async () => {
    await assert.rejects(
      openai.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "hi" }] }),
      (err: unknown) => err instanceof OpenAI.NotFoundError,
    );
    await assert.rejects(
      openai.chat.completions.create({
        model: "char-trigram-lm",
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 10_000,
      }),
      (err: unknown) => err instanceof OpenAI.BadRequestError,
    );
    // A prompt the model cannot read: 400 naming the characters and the param, streaming or
    // not, before anything is held (no empty stream).
    for (const stream of [false, true] as const) {
      await assert.rejects(
        openai.chat.completions.create({
          model: "char-trigram-lm",
          messages: [{ role: "user", content: "xyz 123" }],
          stream,
        }),
        (err: unknown) => {
          assert.ok(err instanceof OpenAI.BadRequestError, String(err));
          assert.equal(err.param, "messages");
          assert.match(err.message, /not in the model's vocabulary: .*"x"/);
          return true;
        },
      );
    }
    const stranger = new OpenAI({ baseURL, apiKey: "ng_not-a-key", maxRetries: 0 });
    await assert.rejects(stranger.models.list(), (err: unknown) => err instanceof OpenAI.AuthenticationError);
  });
});
