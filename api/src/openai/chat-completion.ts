import { randomUUID } from "node:crypto";
import { type Account, Model } from "../db/entities/index.js";
import { ApiError, badInput, notFound } from "../errors.js";
import type { Services } from "../graphql/context.js";
import { clientAccounts } from "../ledger/accounts.js";
import { pricingOf } from "../pricing/pricing.js";
import { AsyncQueue } from "../tasks/async-queue.js";
import type { GenerationOutcome } from "../tasks/run-generation.js";
import { outsideVocabulary } from "../tasks/task-input.js";
import { memoOf } from "../tasks/written-task.js";

/**
 * One chat completion on a streaming language model: a task like any other, held through the
 * task store and run by the process's attempt runner (tasks/attempt-runner.ts) — no pipeline of
 * its own:
 *   hold price x max_tokens and write the task QUEUED       (the lifecycle's hold)
 *   one attempt, under a local lease (tasks/local-start.ts), its tokens given to the caller as
 *   they come                                                (and announced, as any task's)
 *   capture tokens produced x price, release the rest        (COMPLETED; CANCELLED when the
 *                                                             caller went away mid-stream: it
 *                                                             pays for the tokens it was sent)
 * One attempt: a retry would send the caller its first tokens twice. An attempt that fails
 * before its first token refunds the task and is this request's error.
 */
export interface ChatRequest {
  model: string;
  prompt: string;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  seed?: number | undefined;
}

export interface ChatCompletion {
  taskId: string;
  model: string;
  /** Tokens as they come; the run settles when the iteration ends (or is abandoned). */
  tokens: AsyncIterable<string>;
  /** After the iteration: tokens produced, how it ended, and why it failed when it did. */
  outcome(): { outputTokens: number; finishReason: string; failure?: string };
}

/** Tokens a request gets when it names no max_tokens (at most the model's own limit). */
const DEFAULT_MAX_TOKENS = 64;

export async function startChatCompletion(
  services: Services,
  account: Account,
  req: ChatRequest,
  signal: AbortSignal,
): Promise<ChatCompletion> {
  const { runner } = services;
  if (!runner) throw new ApiError("UNAVAILABLE", "this api runs no tasks");
  const em = services.orm.em.fork();
  const model = await em.findOne(Model, { name: req.model }, { orderBy: { createdAt: "desc" } });
  if (!model) throw notFound(`model ${req.model}`);
  const pricing = pricingOf(model.manifest);
  if (pricing.unit !== "output_token")
    throw badInput(`${req.model} is not a language model`, { param: "model" });
  const outside = outsideVocabulary(model.manifest, req.prompt);
  if (outside) throw badInput(`messages: ${outside}`, { param: "messages" });
  const maxTokens = req.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, pricing.maxUnits);
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > pricing.maxUnits) {
    throw badInput(`max_tokens must be between 1 and ${pricing.maxUnits}`, { param: "max_tokens" });
  }
  const escrow = BigInt(pricing.price) * BigInt(maxTokens);
  const taskId = randomUUID();
  const held = await services.store.hold({
    accountId: account.id,
    accounts: await clientAccounts(em, account.id),
    now: new Date(),
    modelChecks: [],
    tasks: [
      {
        taskId,
        modelId: model.id,
        idempotencyKey: null,
        priority: 0,
        input: { prompt: req.prompt, maxTokens, temperature: req.temperature ?? 0, seed: req.seed ?? 0 },
        pricing: { ...pricing, maxUnits: maxTokens },
        escrow,
        memo: `chat completion: ${memoOf(model)}`,
      },
    ],
  });
  if (!held.held) {
    const balance = held.stale ? "" : `balance ${held.balance} is less than the escrow ${escrow}`;
    throw new ApiError("INSUFFICIENT_FUNDS", balance);
  }
  const tokens = new AsyncQueue<string>();
  let outcome: GenerationOutcome | undefined;
  let produced = 0;
  const first = new Promise<void>((resolve) => {
    const leased = services.leases.hold(taskId);
    void runner
      .run({
        taskId,
        attempt: 1,
        lastAttempt: true,
        modelId: model.id,
        signal,
        onToken: (token) => {
          produced++;
          tokens.push(token);
          resolve();
        },
        onGeneration: (o) => {
          outcome = o;
        },
      })
      .catch((err) => services.log?.(`chat completion ${taskId}: ${String(err)}`))
      .finally(() => {
        leased.release();
        tokens.end();
        resolve();
      });
  });
  await first;
  if (produced === 0 && outcome === undefined) {
    throw new ApiError(
      "UNAVAILABLE",
      `the model ${model.name} could not run this completion (task ${taskId})`,
    );
  }
  return {
    taskId,
    model: model.name,
    tokens,
    outcome: () => ({
      outputTokens: outcome?.outputTokens ?? produced,
      finishReason: outcome?.finishReason ?? "length",
      ...(outcome?.status === "FAILED" ? { failure: outcome.error ?? "the generation failed" } : {}),
    }),
  };
}
