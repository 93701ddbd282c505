/**
 * The cluster's typed errors. Every error that crosses the package boundary is a ClusterError
 * with a stable string code; gRPC status codes are converted to and from these codes only at
 * the edge (server handlers and the client).
 */
export type ClusterErrorCode =
  | "INVALID_ARGUMENT" // the caller's input is wrong (bad args for an actor method, bad spec)
  | "NOT_FOUND" // no such actor / node
  | "UNIMPLEMENTED" // the actor has no such method
  | "UNAVAILABLE" // the head, worker or actor cannot be reached
  | "RESOURCES_UNAVAILABLE" // no node can host the actor now
  | "DEADLINE_EXCEEDED"
  | "CANCELLED"
  | "UNAUTHENTICATED" // no valid credential (node token, certificate, cluster credential)
  | "PERMISSION_DENIED" // a valid caller that the RPC's rule does not allow (auth/rpc-rules.ts)
  | "FAILED_PRECONDITION" // a call meant for another incarnation of the actor (a stale epoch)
  | "INTERNAL"; // a failure inside the actor or the runtime

export class ClusterError extends Error {
  override readonly name = "ClusterError";
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isClusterError(err: unknown): err is ClusterError {
  return err instanceof ClusterError;
}
