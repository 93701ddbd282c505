/**
 * The arguments of a generative model's `generate` method: GenerateArgs { prompt, maxTokens,
 * temperature?, seed? } (@neurogrid/schema's generation-contract.ts). One parser for the model
 * (char-trigram-lm.ts) and for the api, which checks a generative task's input against it at
 * submission (with maxTokens optional there).
 */
import type { GenerateArgs } from "@neurogrid/schema";
import { z } from "zod";

export function generationArgsSchema(maxTokens: number) {
  return z.strictObject({
    prompt: z.string().min(1).max(10_000),
    maxTokens: z.number().int().min(1).max(maxTokens),
    temperature: z.number().min(0).max(10).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .optional(),
  }) satisfies z.ZodType<GenerateArgs>;
}
