/**
 * Client side of a unary call as a promise: a deadline from a timeout, cancellation from an
 * AbortSignal, and every failure as a ClusterError (via status.ts).
 */
import * as grpc from "@grpc/grpc-js";
import { ClusterError } from "../errors.js";
import { fromServiceError } from "./status.js";

export interface CallOptions {
  /** Deadline for the call, from now. None when absent. */
  timeoutMs?: number | undefined;
  /** Aborting cancels the call; it then rejects with CANCELLED. */
  signal?: AbortSignal | undefined;
}

function deadlineAfter(timeoutMs: number | undefined): grpc.CallOptions {
  return timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs };
}

export function unaryCall<Req, Res>(
  client: grpc.Client,
  method: grpc.MethodDefinition<Req, Res>,
  request: Req,
  options: CallOptions = {},
): Promise<Res> {
  const { signal } = options;
  if (signal?.aborted) {
    return Promise.reject(new ClusterError("CANCELLED", "call cancelled before it started"));
  }
  return new Promise<Res>((resolve, reject) => {
    const call = client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      new grpc.Metadata(),
      deadlineAfter(options.timeoutMs),
      (err, response) => {
        signal?.removeEventListener("abort", onAbort);
        if (err && signal?.aborted)
          reject(new ClusterError("CANCELLED", "call cancelled by the caller", { cause: err }));
        else if (err) reject(fromServiceError(err));
        else if (response === undefined) reject(new ClusterError("INTERNAL", `${method.path}: empty reply`));
        else resolve(response);
      },
    );
    function onAbort(): void {
      call.cancel();
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
