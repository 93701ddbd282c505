/**
 * The dashboard's two cookies. The refresh token is httpOnly (page script never sees it),
 * SameSite=Strict, scoped to the session routes, and Secure when the request came over TLS.
 * The CSRF token is readable by the page, which echoes it in a header on every session call
 * (double submit): a page of another site can neither read it nor set the header.
 */
import type { Request, Response } from "express";

export const REFRESH_COOKIE = "ng_refresh";
export const CSRF_COOKIE = "ng_csrf";
/** The header the page echoes the CSRF cookie in. */
export const CSRF_HEADER = "x-csrf-token";
/** Only the session routes receive the refresh token. */
export const SESSION_PATH = "/session";

/** The cookies of a request, by name (the first of a repeated name wins). */
export function readCookies(req: Request): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A cookie that is not valid percent-encoding is not one of ours.
    }
  }
  return out;
}

interface CookieValues {
  refreshToken: string;
  refreshExpiresAt: Date;
  csrfToken: string;
}

export function setSessionCookies(req: Request, res: Response, v: CookieValues): void {
  const common = { sameSite: "strict" as const, secure: req.secure, expires: v.refreshExpiresAt };
  res.cookie(REFRESH_COOKIE, v.refreshToken, { ...common, httpOnly: true, path: SESSION_PATH });
  res.cookie(CSRF_COOKIE, v.csrfToken, { ...common, httpOnly: false, path: "/" });
}

export function clearSessionCookies(req: Request, res: Response): void {
  const common = { sameSite: "strict" as const, secure: req.secure };
  res.clearCookie(REFRESH_COOKIE, { ...common, httpOnly: true, path: SESSION_PATH });
  res.clearCookie(CSRF_COOKIE, { ...common, path: "/" });
}
