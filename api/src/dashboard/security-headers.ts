import type { NextFunction, Request, Response } from "express";

/**
 * Headers of every dashboard response: a Content-Security-Policy that allows only this origin
 * (no inline script, no eval, no framing by anyone), and the usual hardening headers. GraphiQL
 * at /graphql keeps its own page (it needs an inline bootstrap script) and is not covered.
 * `connect-src 'self'` also admits this origin's ws:/wss: (CSP level 3).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function dashboardSecurityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader("content-security-policy", CSP);
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "no-referrer");
  res.setHeader("cross-origin-opener-policy", "same-origin");
  res.setHeader("cross-origin-resource-policy", "same-origin");
  res.setHeader("permissions-policy", "camera=(), microphone=(), geolocation=()");
  next();
}
