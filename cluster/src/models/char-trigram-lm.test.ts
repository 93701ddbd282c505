import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { GenerateItem, InferResult } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { type ActorInstance, isAsyncIterable } from "../runtime/actor-class.js";
import { createModelActor } from "../runtime/model-actor.js";
import { buildCharTrigramLmOnnx, charTrigramLmManifest } from "./char-trigram-lm.js";
import { LM_CORPUS } from "./lm-corpus.js";

const ctx = { actorId: "lm-test", gpuIds: [], cudaVisibleDevices: "" };
const never = new AbortController().signal;

/** Greedy generation straight from the corpus's trigram counts (no logits, no ONNX). */
function referenceGreedy(prompt: string, maxTokens: number): string {
  const vocab = [...new Set(LM_CORPUS)].sort();
  const counts = new Map<string, Map<string, number>>();
  for (let i = 2; i < LM_CORPUS.length; i++) {
    const context = LM_CORPUS.slice(i - 2, i);
    const next = counts.get(context) ?? new Map<string, number>();
    next.set(LM_CORPUS[i] as string, (next.get(LM_CORPUS[i] as string) ?? 0) + 1);
    counts.set(context, next);
  }
  let text = ` ${prompt}`;
  let out = "";
  for (let step = 0; step < maxTokens; step++) {
    const next = counts.get(text.slice(-2));
    // Most counted; ties (and an unseen context) go to the first in vocabulary order.
    let best = vocab[0] as string;
    for (const c of vocab) if ((next?.get(c) ?? 0) > (next?.get(best) ?? 0)) best = c;
    text += best;
    out += best;
  }
  return out;
}

async function collect(stream: unknown, onItem?: (item: GenerateItem) => void): Promise<GenerateItem[]> {
  assert.ok(isAsyncIterable(stream), "generate streams");
  const items: GenerateItem[] = [];
  for await (const item of stream as AsyncIterable<GenerateItem>) {
    items.push(item);
    onItem?.(item);
  }
  return items;
}

describe("char-trigram-lm@1", () => {
  let cacheDir: string;
  let actor: ActorInstance;
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), "lm-test-"));
    actor = await createModelActor(
      { name: "char-trigram-lm", version: "1", cacheDir, intraOpNumThreads: 1 },
      ctx,
    );
  });
  after(async () => {
    await actor.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it("builds identical bytes every time and is priced per output token", () => {
    assert.deepEqual(buildCharTrigramLmOnnx(), buildCharTrigramLmOnnx());
    assert.equal(charTrigramLmManifest.pricing?.unit, "output_token");
  });

  it("streams tokens in order, equal to greedy decoding of the corpus counts", async () => {
    const items = await collect(await actor.call("generate", { prompt: "Alice was ", maxTokens: 60 }, never));
    const tokens = items.filter((i): i is { index: number; token: string } => "token" in i);
    assert.deepEqual(
      tokens.map((t) => t.index),
      Array.from({ length: 60 }, (_, i) => i),
    );
    const text = tokens.map((t) => t.token).join("");
    assert.equal(text, referenceGreedy("Alice was ", 60));
    assert.deepEqual(items.at(-1), {
      done: true,
      outputTokens: 60,
      text,
      finishReason: "length",
      executionProvider: "cpu",
    });
    assert.equal(items.length, 61);
  });

  it("gives concurrent generations, whose steps share batches, their own texts", async () => {
    const prompts = ["Alice", "the Rabbit", "a watch", "her sister", "down a "];
    const texts = await Promise.all(
      prompts.map(async (prompt) => {
        const items = await collect(await actor.call("generate", { prompt, maxTokens: 30 }, never));
        return (items.at(-1) as { text: string }).text;
      }),
    );
    assert.deepEqual(
      texts,
      prompts.map((p) => referenceGreedy(p, 30)),
    );
  });

  it("samples deterministically for a seed", async () => {
    const args = { prompt: "the ", maxTokens: 40, temperature: 1, seed: 7 };
    const a = (await collect(await actor.call("generate", args, never))).at(-1);
    const b = (await collect(await actor.call("generate", args, never))).at(-1);
    assert.deepEqual(a, b);
  });

  it("stops within one step of a cancellation", async () => {
    const controller = new AbortController();
    let tokensAtAbort = -1;
    const items = await collect(
      await actor.call("generate", { prompt: "Rabbit", maxTokens: 400 }, controller.signal),
      (item) => {
        if ("token" in item && item.index === 4) {
          controller.abort();
          tokensAtAbort = item.index + 1;
        }
      },
    );
    const tokens = items.filter((i) => "token" in i).length;
    assert.equal(tokensAtAbort, 5);
    assert.ok(tokens <= tokensAtAbort + 1, `${tokens} tokens after cancelling at ${tokensAtAbort}`);
    assert.deepEqual(items.at(-1), {
      done: true,
      outputTokens: tokens,
      text: items.flatMap((i) => ("token" in i ? [i.token] : [])).join(""),
      finishReason: "cancelled",
      executionProvider: "cpu",
    });
  });

  it("refuses a prompt outside the vocabulary before streaming, and serves infer batched", async () => {
    await assert.rejects(
      actor.call("generate", { prompt: "€", maxTokens: 3 }, never),
      (err: unknown) =>
        err instanceof ClusterError && err.code === "INVALID_ARGUMENT" && /vocabulary/.test(err.message),
    );
    const results = (await Promise.all(
      [0, 1, 2].map((i) => actor.call("infer", { inputs: { tokens: [[i, i + 1]] } }, never)),
    )) as InferResult[];
    for (const r of results)
      assert.equal((r.outputs.logits as number[][])[0]?.length, charTrigramLmManifest.outputs[0]?.shape[1]);
  });
});
