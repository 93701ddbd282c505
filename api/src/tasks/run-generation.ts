/**
 * A generative task's run: the replica's `generate` stream, each token published on the task's
 * channel as it comes (taskProgress shows it at once), the whole text kept for the result.
 *
 *   done item            -> completed: every token produced is charged
 *   the caller's signal  -> cancelled (cancelTask): generation stops within one step (the actor
 *                           checks its signal before each), and the tokens produced so far are
 *                           what is charged
 *   an error after the first token -> failed: the tokens already sent are charged (the client
 *                           has them) and the task is not retried (a retry would send them
 *                           twice); an error before any token is the caller's to retry
 */
import { type DeploymentCallOptions, type DeploymentHandle, isClusterError } from "@neurogrid/cluster";
import { type GenerateItem, TaskStatus } from "@neurogrid/schema";
import type { TaskEventBus } from "./task-events.js";

export interface GenerationOutcome {
  status: "COMPLETED" | "CANCELLED" | "FAILED";
  text: string;
  outputTokens: number;
  finishReason: string;
  executionProvider: string;
  inferenceMs: number;
  error?: string;
}

export async function runGeneration(
  deployment: Pick<DeploymentHandle, "stream">,
  taskId: string,
  input: Record<string, unknown>,
  opts: DeploymentCallOptions,
  events: Pick<TaskEventBus, "publish">,
  onToken?: (token: string) => void,
): Promise<GenerationOutcome> {
  const started = performance.now();
  const text: string[] = [];
  let finishReason = "length";
  let executionProvider = "unknown";
  // Token events are live only (the result holds the whole text): a failed publish loses that
  // event, never the generation. One connection keeps them in order; awaited together at the end.
  const publishes: Promise<unknown>[] = [];
  const outcome = (status: GenerationOutcome["status"], error?: string): GenerationOutcome => ({
    status,
    text: text.join(""),
    outputTokens: text.length,
    finishReason,
    executionProvider,
    inferenceMs: performance.now() - started,
    ...(error === undefined ? {} : { error }),
  });
  const cancelled = (): GenerationOutcome => ({
    ...outcome("CANCELLED", `cancelled after ${text.length} tokens`),
    finishReason: "cancelled",
  });
  try {
    for await (const item of deployment.stream<GenerateItem>("generate", input, opts)) {
      if (item.done) {
        finishReason = item.finishReason ?? finishReason;
        executionProvider = item.executionProvider ?? executionProvider;
        break;
      }
      const index = text.length;
      text.push(item.token);
      onToken?.(item.token);
      const publish = events.publish({
        taskId,
        status: TaskStatus.RUNNING,
        at: new Date().toISOString(),
        token: { index, text: item.token },
      });
      publishes.push(publish.catch(() => {}));
    }
  } catch (err) {
    await Promise.all(publishes);
    if (opts.signal?.aborted) return cancelled();
    if (text.length === 0) throw err;
    const message = isClusterError(err) ? `${err.code}: ${err.message}` : String(err);
    return outcome("FAILED", `generation failed after ${text.length} tokens: ${message}`);
  }
  await Promise.all(publishes);
  if (opts.signal?.aborted || finishReason === "cancelled") return cancelled();
  return outcome("COMPLETED");
}
