/**
 * The api's typed errors. Services throw ApiError with a stable code; the GraphQL edge
 * (graphql/format-error.ts) turns it into `extensions.code`. Anything that is not an ApiError
 * is a bug: the client sees INTERNAL_SERVER_ERROR with a request id, never a stack or SQL.
 */
export type ApiErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "INSUFFICIENT_FUNDS"
  | "RATE_LIMITED"
  | "CONFLICT"
  /** The service cannot do it now (no replica ran the task); trying again later may work. */
  | "UNAVAILABLE";

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError("NOT_FOUND", `${what} not found`);
export const badInput = (message: string, details?: Record<string, unknown>) =>
  new ApiError("BAD_USER_INPUT", message, details);
