/**
 * Known answers of the kinds beyond tensors, computed by the platform's reference: a generation's
 * (char-trigram-lm: prompts of the model's own characters, each with a seed of its own) and a
 * speech model's (silero-vad: speech-like clips, their segments). Each goes to the replica as a
 * task of its kind does (`generate` or `speech`, the task's arguments, a task's call options),
 * and an answer other than the known one is a wrong answer.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { DeploymentCallOptions } from "@neurogrid/cluster";
import { charTrigramLmManifest, LM_VOCAB, sileroVadManifest } from "@neurogrid/cluster/models";
import type { ActorInfo, GenerateItem } from "@neurogrid/schema";
import type { ModelDeployment } from "../tasks/model-deployments.js";
import { taskCallOf } from "../tasks/task-call.js";
import { runKnownAnswer } from "./known-answer-run.js";
import { hasKnownAnswers, type KnownAnswer, KnownAnswers, referenceFromCache } from "./known-answers.js";

const replica = { actorId: "a1", nodeId: "node-1", state: "ALIVE", address: "127.0.0.1:1" } as ActorInfo;
const opts = { timeoutMs: 5_000, signal: new AbortController().signal };

let cacheDir: string;
let answers: KnownAnswer[];
let clips: KnownAnswer[];
before(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "known-answer-kinds-"));
  const known = new KnownAnswers(referenceFromCache(cacheDir), 7);
  answers = await known.of(charTrigramLmManifest);
  clips = await known.of(sileroVadManifest);
});
after(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

/** A one-replica deployment that streams `text` as a generation, recording what it is asked. */
function streaming(text: (args: unknown) => string) {
  const sent: { method: string; args: unknown; opts: DeploymentCallOptions }[] = [];
  const deployment = {
    leaseWhere: async (accept: (r: ActorInfo) => boolean | Promise<boolean>) =>
      (await accept(replica)) ? { replica, release: () => {} } : undefined,
    stream: async function* (method: string, args: unknown, o: DeploymentCallOptions = {}) {
      sent.push({ method, args, opts: o });
      await o.onReplica?.(replica);
      const out = text(args);
      for (const [index, token] of [...out].entries()) yield { index, token } satisfies GenerateItem;
      yield {
        done: true,
        outputTokens: out.length,
        text: out,
        finishReason: "length",
        executionProvider: "cpu",
      } satisfies GenerateItem;
    },
  } as unknown as ModelDeployment;
  return { deployment, sent };
}

test("a generation's known answers: prompts of its own characters, each seeded, its reference's text", () => {
  assert.equal(hasKnownAnswers(charTrigramLmManifest), true);
  assert.equal(answers.length, 8);
  const seeds = new Set<unknown>();
  for (const { input, expected } of answers) {
    const { prompt, maxTokens, seed } = input as { prompt: string; maxTokens: number; seed: number };
    assert.ok(
      [...prompt].every((c) => LM_VOCAB.includes(c)),
      prompt,
    );
    seeds.add(seed);
    assert.equal((expected as { text: string }).text.length, maxTokens);
  }
  assert.equal(seeds.size, 8, "each its own seed");
});

test("a known-answer generation is sent as a generation task; the known text agrees, another does not", async () => {
  const known = answers[0] as KnownAnswer;
  const text = (known.expected as { text: string }).text;
  const right = streaming(() => text);
  const outcome = await runKnownAnswer(right.deployment, charTrigramLmManifest, replica, known, opts);
  assert.equal(outcome.answered && outcome.agree, true, JSON.stringify(outcome));
  const [sent] = right.sent;
  assert.equal(sent?.method, "generate");
  assert.deepEqual(sent?.args, known.input, "the task's own arguments");
  assert.equal(sent?.opts.lease?.replica.actorId, replica.actorId);
  const lie = streaming(() => text.slice(1) + text.slice(0, 1));
  const wrong = await runKnownAnswer(lie.deployment, charTrigramLmManifest, replica, known, opts);
  assert.equal(wrong.answered && !wrong.agree, true);
  assert.match(wrong.answered ? wrong.detail : "", /text differs from character 0/);
});

type Speech = { durationMs: number; segments: { startMs: number; endMs: number; probability: number }[] };

/** A one-replica deployment that answers `speech` calls, recording what it is asked. */
function speaking(answer: (args: unknown) => Speech) {
  const sent: { method: string; args: unknown }[] = [];
  const deployment = {
    leaseWhere: async (accept: (r: ActorInfo) => boolean | Promise<boolean>) =>
      (await accept(replica)) ? { replica, release: () => {} } : undefined,
    call: async (method: string, args: unknown, o: DeploymentCallOptions = {}) => {
      sent.push({ method, args });
      await o.onReplica?.(replica);
      return { ...answer(args), executionProvider: "cpu", inferenceMs: 1 };
    },
  } as unknown as ModelDeployment;
  return { deployment, sent };
}

test("a speech model's known answers: speech-like clips, in each of which the reference finds speech", () => {
  assert.equal(hasKnownAnswers(sileroVadManifest), true);
  assert.equal(clips.length, 8);
  for (const { input, expected } of clips) {
    assert.equal(typeof (input as { audio: string }).audio, "string");
    const { durationMs, segments } = expected as Speech;
    assert.ok(durationMs >= 1400 && durationMs <= 3400, String(durationMs));
    assert.ok(segments.length >= 1, `speech found in a clip of ${durationMs} ms`);
  }
});

test("a known-answer speech task is sent as a speech task; the known segments agree, none do not", async () => {
  const known = clips[0] as KnownAnswer;
  const right = speaking(() => known.expected as Speech);
  const outcome = await runKnownAnswer(right.deployment, sileroVadManifest, replica, known, opts);
  assert.equal(outcome.answered && outcome.agree, true, JSON.stringify(outcome));
  const task = taskCallOf(sileroVadManifest, known.input);
  assert.deepEqual(right.sent, [{ method: task.method, args: task.args }], "the task's own call");
  const silent = speaking(() => ({ ...(known.expected as Speech), segments: [] }));
  const wrong = await runKnownAnswer(silent.deployment, sileroVadManifest, replica, known, opts);
  assert.equal(wrong.answered && !wrong.agree, true);
  assert.match(wrong.answered ? wrong.detail : "", /segments vs 0/);
});
