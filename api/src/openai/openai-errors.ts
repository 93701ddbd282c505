import type { Response } from "express";
import { ApiError } from "../errors.js";

/**
 * Errors in OpenAI's shape ({ error: { message, type, code } }) with the HTTP status its
 * clients expect, converted from the api's typed errors at this edge.
 */
const STATUS: Record<string, [number, string]> = {
  UNAUTHENTICATED: [401, "invalid_request_error"],
  FORBIDDEN: [403, "permission_error"],
  BAD_USER_INPUT: [400, "invalid_request_error"],
  NOT_FOUND: [404, "invalid_request_error"],
  INSUFFICIENT_FUNDS: [402, "insufficient_quota"],
  RATE_LIMITED: [429, "rate_limit_exceeded"],
  CONFLICT: [409, "invalid_request_error"],
  UNAVAILABLE: [503, "server_error"],
};

export function sendOpenAiError(res: Response, err: unknown, log: (m: string, e?: unknown) => void): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof ApiError) {
    const [status, type] = STATUS[err.code] ?? [400, "invalid_request_error"];
    const param = typeof err.details?.param === "string" ? err.details.param : null;
    res.status(status).json({ error: { message: err.message, type, code: err.code.toLowerCase(), param } });
    return;
  }
  log("openai endpoint: internal error", err);
  res
    .status(500)
    .json({ error: { message: "internal server error", type: "server_error", code: null, param: null } });
}
