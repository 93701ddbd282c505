import { randomUUID } from "node:crypto";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { ApiError } from "../errors.js";
import { isInfraUnavailable } from "../infra/unavailable.js";

/**
 * The edge where typed errors become `extensions.code`. ApiError keeps its code and message;
 * GraphQL's own errors (parse, validation, bad variables) keep theirs; type-graphql's argument
 * validation becomes BAD_USER_INPUT, and so does a request error graphql-js reports without a code
 * (a variable of the wrong type, over graphql-ws: Apollo codes these itself over HTTP); PostgreSQL
 * or Redis out of reach (infra/unavailable.ts) is UNAVAILABLE with `retryAfterMs`; anything
 * else is a bug: logged with its request id, and the client sees only INTERNAL_SERVER_ERROR and
 * that id.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: (msg: string, err: unknown) => void,
): GraphQLFormattedError {
  const original = (error as { originalError?: unknown })?.originalError ?? error;
  if (original instanceof ApiError) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: original.code, ...(original.details ?? {}) },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === "string" && code !== "INTERNAL_SERVER_ERROR") return formatted;
  if (code === undefined && isRequestError(error)) {
    return { ...formatted, extensions: { ...formatted.extensions, code: "BAD_USER_INPUT" } };
  }
  if (original instanceof Error && (original as { extensions?: { code?: string } }).extensions?.code) {
    return formatted;
  }
  if (isInfraUnavailable(original)) {
    return {
      message: "the database or the queue cannot be reached now; try again",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: "UNAVAILABLE", retryAfterMs: UNAVAILABLE_RETRY_AFTER_MS },
    };
  }
  const requestId = randomId();
  log(`internal error ${requestId}`, original);
  return {
    message: `Internal server error (request id ${requestId})`,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
  };
}

/** What an UNAVAILABLE answer asks a client to wait before it tries again. */
const UNAVAILABLE_RETRY_AFTER_MS = 500;

/** An error about the request itself (coercing its variables), not from running a field. */
function isRequestError(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.path !== undefined) return false;
  return error.originalError === undefined || error.originalError instanceof GraphQLError;
}

function randomId(): string {
  return randomUUID();
}
