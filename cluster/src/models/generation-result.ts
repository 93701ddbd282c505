import type { GenerateItem } from "@neurogrid/schema";

/**
 * A generation's result as a `generate` task stores it ({ text, finishReason }): the streamed
 * tokens joined, and why it ended. Result verification compares this (a check's run, a known
 * answer's reference and a replica's answer alike).
 */
export async function generationResult(
  items: AsyncIterable<GenerateItem>,
): Promise<{ text: string; finishReason: string }> {
  const tokens: string[] = [];
  for await (const item of items) {
    if (item.done) return { text: tokens.join(""), finishReason: item.finishReason };
    tokens.push(item.token);
  }
  return { text: tokens.join(""), finishReason: "length" };
}
