import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { admittedOf } from "../protection/admission.js";

/**
 * Largest request: an HTTP body (the limit of express's JSON parser) or a WebSocket message.
 * 16 MiB: a media task's file as base64 (an OCR image of at most 4 MiB, five minutes of 16 kHz
 * mono 16-bit audio) with room for the query around it.
 */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * The last Express error handler: what no route answered becomes JSON in the GraphQL error shape.
 * A client's mistake that the body parser or a route reports with a 4xx status (malformed JSON,
 * a body over the limit, an unsupported encoding) keeps its status, with code BAD_REQUEST (413:
 * PAYLOAD_TOO_LARGE); anything else is a bug: logged with a request id, answered 500 with only
 * that id. Express's default handler answered HTML with the parser's stack instead.
 */
export function httpErrors(log: (msg: string, err?: unknown) => void) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = statusOf(err);
    if (res.headersSent) {
      res.end();
      return;
    }
    if (status >= 400 && status < 500) {
      const code = status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST";
      res.status(status).json({ errors: [{ message: clientMessage(err, status), extensions: { code } }] });
      return;
    }
    const requestId = randomUUID();
    log(`http: internal error ${requestId}`, err);
    res.status(500).json({
      errors: [
        {
          message: `Internal server error (request id ${requestId})`,
          extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
        },
      ],
    });
  };
}

function statusOf(err: unknown): number {
  const e = err as { status?: unknown; statusCode?: unknown } | undefined;
  const status = Number(e?.status ?? e?.statusCode);
  return Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
}

/** What the client is told about its own mistake (never a stack; no echo of its body). */
function clientMessage(err: unknown, status: number): string {
  const type = (err as { type?: unknown } | undefined)?.type;
  if (type === "entity.parse.failed") return "the request body is not valid JSON";
  if (type === "entity.too.large")
    return `the request body is over the limit (${MAX_REQUEST_BYTES / 1024 / 1024} MiB)`;
  if (type === "encoding.unsupported" || type === "charset.unsupported") return "unsupported body encoding";
  if (status === 413) return "the request body is over the limit";
  return err instanceof Error && err.message.length < 200 ? err.message : "bad request";
}

/** After admission: an admin's credential passes; no credential 401, another caller's 403. */
export function requireAdmin(_req: Request, res: Response, next: NextFunction): void {
  const caller = admittedOf(res).resolved.caller;
  if (caller?.role === "admin") {
    next();
    return;
  }
  const [status, code] = caller ? [403, "FORBIDDEN"] : [401, "UNAUTHENTICATED"];
  res.status(status).json({
    errors: [
      {
        message: "health details and metrics are for admins (or the internal port)",
        extensions: { code },
      },
    ],
  });
}
