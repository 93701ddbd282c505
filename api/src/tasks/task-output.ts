import { validateTensorMap } from "@neurogrid/cluster/models";
import type { TensorSpec } from "@neurogrid/schema";
import { jsonLengthBound } from "./task-queue.js";

/**
 * What a provider's replica answered is checked before it is stored or charged: the model's
 * declared outputs (every one present, nothing else, each a rectangular array of finite numbers
 * of its declared rank and fixed dimensions: the same rules as inputs, cluster's tensor.ts), and
 * at most `maxChars` of JSON. A replica that answers anything else has not done the work it
 * would be paid for: the task fails for good and is refunded (attempt-runner.ts), and the fault
 * is recorded against its node (node-faults.ts).
 */
export class InvalidOutputError extends Error {
  override readonly name = "InvalidOutputError";
}

/** Why `outputs` is not what the model declares (undefined: it is). */
export function outputProblem(
  specs: readonly TensorSpec[],
  outputs: unknown,
  maxChars: number,
): string | undefined {
  const checked = validateTensorMap(specs, outputs);
  if (!checked.ok) return `the replica's output is not the model's: ${checked.message}`;
  if (jsonLengthBound(outputs, maxChars) > maxChars && JSON.stringify(outputs).length > maxChars) {
    return `the replica's output is larger than ${maxChars} characters of JSON`;
  }
  return undefined;
}

/** A call's answer and how long the caller waited for it (sent -> answered), in milliseconds. */
export interface TimedAnswer<T> {
  value: T;
  ms: number;
}

/** Sends a call now and times it on this side: what a per-millisecond task is charged for. */
export function timedCall<T>(send: () => Promise<T>): Promise<TimedAnswer<T>> {
  const sentAt = performance.now();
  return send().then((value) => ({ value, ms: performance.now() - sentAt }));
}
