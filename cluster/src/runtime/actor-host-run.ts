/**
 * One call inside the actor process, from decoded request to final reply, whatever carried it
 * (the call channel or the unary Actor.Call): decode the JSON args, run the instance's method,
 * and report through a sink — one result, or items then an end, or one error. Exactly one final
 * sink method is called, always.
 *
 * A method that resolves to an AsyncIterable streams: each item is sent only once the sink
 * says there is room (the caller's credit, the transport's buffer), so a slow caller slows
 * the generator down instead of filling memory. When the signal aborts, the iteration is
 * stopped (its `return()`) and the call ends with the abort's reason.
 */
import { ClusterError } from "../errors.js";
import { decodeJson, encodeJson } from "../grpc/convert.js";
import { asClusterError } from "../grpc/status.js";
import { type ActorInstance, isAsyncIterable } from "./actor-class.js";

export interface CallRequest {
  method: string;
  args: Buffer;
  /** The caller iterates items; a unary method then yields its result as one item. */
  streaming: boolean;
}

export interface CallSink {
  /** Sends one item; resolves when the next one may be sent, rejects when the call is aborted. */
  item(payload: Buffer): Promise<void>;
  result(payload: Buffer): void;
  end(): void;
  error(error: ClusterError): void;
}

/** The error a call ends with once its signal aborted. */
export function abortError(signal: AbortSignal): ClusterError {
  const reason: unknown = signal.reason;
  if (reason instanceof ClusterError) return reason;
  return new ClusterError("CANCELLED", "the call was cancelled");
}

export async function runCall(
  instance: ActorInstance,
  request: CallRequest,
  signal: AbortSignal,
  sink: CallSink,
): Promise<void> {
  const { method } = request;
  try {
    if (signal.aborted) throw abortError(signal);
    const args = decodeJson(request.args, "INVALID_ARGUMENT", `args of ${method}`);
    const out = await instance.call(method, args, signal);
    if (isAsyncIterable(out)) {
      if (!request.streaming) {
        await out[Symbol.asyncIterator]().return?.();
        throw new ClusterError("INVALID_ARGUMENT", `${method} streams its results: call it as a stream`);
      }
      for await (const item of out) {
        if (signal.aborted) throw abortError(signal);
        await sink.item(encodeJson(item, "INTERNAL", `an item of ${method}`));
      }
      if (signal.aborted) throw abortError(signal);
      sink.end();
      return;
    }
    if (signal.aborted) throw abortError(signal);
    const payload = encodeJson(out, "INTERNAL", `result of ${method}`);
    if (request.streaming) {
      await sink.item(payload);
      sink.end();
    } else sink.result(payload);
  } catch (err) {
    sink.error(signal.aborted ? abortError(signal) : asClusterError(err));
  }
}
