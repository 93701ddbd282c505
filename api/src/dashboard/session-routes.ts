import { randomBytes, timingSafeEqual } from "node:crypto";
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from "express";
import type { Account } from "../db/entities/index.js";
import { ApiError } from "../errors.js";
import type { Services } from "../graphql/context.js";
import { passwordLogin } from "../identity/login.js";
import { consumeRefreshToken, issueRefreshToken, revokeRefreshFamily } from "../identity/refresh-tokens.js";
import { clientAddress } from "../server/client-address.js";
import {
  CSRF_COOKIE,
  CSRF_HEADER,
  clearSessionCookies,
  REFRESH_COOKIE,
  readCookies,
  SESSION_PATH,
  setSessionCookies,
} from "./cookies.js";

/**
 * The dashboard's sign-in, as three small JSON routes under /session (the GraphQL login and
 * refreshToken mutations stay for programs; a browser must not hold a refresh token in script):
 *
 *   POST /session/login    {login, password} -> {accessToken, accessTokenExpiresAt, account}
 *                           and sets the refresh cookie (httpOnly) and the CSRF cookie
 *   POST /session/refresh  rotates the refresh cookie (same family) -> a new access token
 *   POST /session/logout   revokes the refresh token's family, clears both cookies
 *
 * refresh and logout read the cookie, so they are the routes a forged cross-site request would
 * aim at: they need the CSRF header equal to the CSRF cookie, and an Origin (when the browser
 * sends one) equal to this host. The access token lives only in the page's memory.
 */
const BODY_LIMIT = "4kb";

const STATUS: Partial<Record<ApiError["code"], number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  RATE_LIMITED: 429,
};

/**
 * `rateLimit`: the per-caller limit of /graphql, applied here too; password guessing is also
 * slowed per account and per address by the login backoff (identity/login.ts), as on GraphQL.
 */
export function sessionRoutes(services: Services, rateLimit: RequestHandler): Router {
  const router = express.Router();
  router.use(SESSION_PATH, rateLimit, express.json({ limit: BODY_LIMIT }));

  router.post(`${SESSION_PATH}/login`, async (req, res, next) => {
    try {
      const { login, password } = (req.body ?? {}) as { login?: unknown; password?: unknown };
      if (typeof login !== "string" || typeof password !== "string") {
        throw new ApiError("BAD_USER_INPUT", "login and password are required");
      }
      const em = services.orm.em.fork();
      const account = await passwordLogin(em, services.logins, {
        login,
        password,
        address: clientAddress(req),
      });
      const refresh = await issueRefreshToken(em, account);
      await answerSession(req, res, services, account, refresh);
    } catch (err) {
      next(err);
    }
  });

  router.post(`${SESSION_PATH}/refresh`, checkCsrf, async (req, res, next) => {
    try {
      const token = readCookies(req).get(REFRESH_COOKIE);
      if (!token) throw new ApiError("UNAUTHENTICATED", "not signed in");
      const em = services.orm.em.fork();
      const { account, familyId } = await consumeRefreshToken(em, token, services.credentials);
      const refresh = await issueRefreshToken(em, account, familyId);
      await answerSession(req, res, services, account, refresh);
    } catch (err) {
      if (err instanceof ApiError && err.code === "UNAUTHENTICATED") clearSessionCookies(req, res);
      next(err);
    }
  });

  router.post(`${SESSION_PATH}/logout`, checkCsrf, async (req, res, next) => {
    try {
      const token = readCookies(req).get(REFRESH_COOKIE);
      if (token) await revokeRefreshFamily(services.orm.em.fork(), token, services.credentials);
      clearSessionCookies(req, res);
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  router.use(SESSION_PATH, (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof ApiError)) return next(err);
    res.status(STATUS[err.code] ?? 400).json({ error: { code: err.code, message: err.message } });
  });
  return router;
}

async function answerSession(
  req: Request,
  res: Response,
  services: Services,
  account: Account,
  refresh: { token: string; expiresAt: Date; familyId: string },
): Promise<void> {
  const access = await services.jwt.sign(account.id, account.role, refresh.familyId);
  const csrfToken = randomBytes(24).toString("base64url");
  setSessionCookies(req, res, {
    refreshToken: refresh.token,
    refreshExpiresAt: refresh.expiresAt,
    csrfToken,
  });
  res.setHeader("cache-control", "no-store");
  res.json({
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt.toISOString(),
    account: { id: account.id, name: account.name, role: account.role },
  });
}

/** Double-submit CSRF check, plus the Origin when the browser sent one. */
function checkCsrf(req: Request, _res: Response, next: NextFunction): void {
  const cookie = readCookies(req).get(CSRF_COOKIE) ?? "";
  const header = req.get(CSRF_HEADER) ?? "";
  const same =
    cookie.length > 0 &&
    cookie.length === header.length &&
    timingSafeEqual(Buffer.from(cookie), Buffer.from(header));
  const origin = req.get("origin");
  const sameOrigin = origin === undefined || originHost(origin) === req.get("host");
  next(same && sameOrigin ? undefined : new ApiError("FORBIDDEN", "missing or wrong CSRF token"));
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
