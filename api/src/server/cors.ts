import type { NextFunction, Request, Response } from "express";

/**
 * CORS for the configured origins only (config.corsOrigins). A request from one of them gets
 * `Access-Control-Allow-Origin` naming it, and its preflight is answered 204 with the methods and
 * headers a GraphQL, OpenAI or session client sends. A preflight from any other origin is refused
 * with 403 and no CORS headers, and other requests from it get none, so a browser does not let
 * that page read the answer. Same-origin requests (the dashboard) need none of this. Credentials
 * are bearer tokens; cookies (the refresh cookie is SameSite=Strict) are not allowed cross-origin.
 */
const ALLOWED_METHODS = "GET, POST, OPTIONS";
const ALLOWED_HEADERS = "authorization, content-type, apollo-require-preflight, x-apollo-operation-name";
/** How long a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE_S = 600;
const NO_CONTENT = 204;
const FORBIDDEN = 403;

export function cors(origins: readonly string[]) {
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
    if (origin === undefined) {
      next();
      return;
    }
    res.vary("Origin");
    if (!allowed.has(origin)) {
      if (preflight) {
        res.status(FORBIDDEN).json({ error: { code: "FORBIDDEN", message: "origin not allowed" } });
        return;
      }
      next();
      return;
    }
    res.setHeader("access-control-allow-origin", origin);
    if (!preflight) {
      next();
      return;
    }
    res.setHeader("access-control-allow-methods", ALLOWED_METHODS);
    res.setHeader("access-control-allow-headers", ALLOWED_HEADERS);
    res.setHeader("access-control-max-age", String(PREFLIGHT_MAX_AGE_S));
    res.status(NO_CONTENT).end();
  };
}
