/**
 * The `generate` method of a generative model actor (a model priced per output token): its
 * arguments, and the items it streams.
 *
 *   generate  GenerateArgs { prompt, maxTokens, temperature?, seed? }
 *   streams   GenerateToken { index, token } for each new token, in order from index 0, then
 *             one GenerateDone { done: true, outputTokens, text, finishReason,
 *             executionProvider }, last.
 *
 * temperature 0 (the default) is greedy; above 0 the model samples with a generator seeded by
 * `seed` (default 0): the same seed, the same text. A cancelled call ends with finishReason
 * "cancelled" and the tokens produced so far.
 */
import type { ExecutionProvider } from "./task.js";

export interface GenerateArgs {
  prompt: string;
  /** At most the model's pricing.maxUnits. */
  maxTokens: number;
  temperature?: number | undefined;
  /** An unsigned 32-bit integer. */
  seed?: number | undefined;
}

export type FinishReason = "length" | "cancelled";

export interface GenerateToken {
  /** Never set on a token item; there so that `item.done` tells the two kinds apart. */
  done?: false;
  index: number;
  token: string;
}

export interface GenerateDone {
  done: true;
  outputTokens: number;
  /** Every token, joined. */
  text: string;
  finishReason: FinishReason;
  /** Where the steps ran. */
  executionProvider: ExecutionProvider;
}

export type GenerateItem = GenerateToken | GenerateDone;
