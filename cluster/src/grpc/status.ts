/**
 * The one place where ClusterError codes and gRPC status codes meet. Servers turn whatever a
 * handler threw into a gRPC status (anything that is not a ClusterError is INTERNAL, with its
 * message); clients turn a gRPC status back into a ClusterError. The mapping is one to one, so
 * a code survives a round trip through any number of hops.
 */
import { type ServerErrorResponse, type ServiceError, status } from "@grpc/grpc-js";
import { ClusterError, type ClusterErrorCode, isClusterError } from "../errors.js";

const TO_GRPC: Readonly<Record<ClusterErrorCode, status>> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  UNIMPLEMENTED: status.UNIMPLEMENTED,
  UNAVAILABLE: status.UNAVAILABLE,
  RESOURCES_UNAVAILABLE: status.RESOURCE_EXHAUSTED,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  CANCELLED: status.CANCELLED,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  INTERNAL: status.INTERNAL,
};

const FROM_GRPC: ReadonlyMap<status, ClusterErrorCode> = new Map(
  Object.entries(TO_GRPC).map(([code, grpcCode]) => [grpcCode, code as ClusterErrorCode]),
);

/** Whether a string (from the wire) is one of the ClusterError codes. */
export function isClusterErrorCode(value: string): value is ClusterErrorCode {
  return Object.hasOwn(TO_GRPC, value);
}

/** Any thrown value as a ClusterError (non-ClusterErrors become INTERNAL). */
export function asClusterError(err: unknown): ClusterError {
  if (isClusterError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ClusterError("INTERNAL", message, { cause: err });
}

/** For a server's callback: the gRPC status that carries this error. */
export function toServiceError(err: unknown): ServerErrorResponse {
  const clusterError = asClusterError(err);
  const response: ServerErrorResponse = new Error(clusterError.message);
  response.code = TO_GRPC[clusterError.code];
  response.details = clusterError.message;
  return response;
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === "number";
}

/** For a client: the ClusterError a failed call stands for. */
export function fromServiceError(err: unknown): ClusterError {
  if (isClusterError(err)) return err;
  if (!isServiceError(err)) return asClusterError(err);
  const code = FROM_GRPC.get(err.code) ?? "INTERNAL";
  return new ClusterError(code, err.details || err.message, { cause: err });
}
