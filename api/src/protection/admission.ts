import type { EntityManager } from "@mikro-orm/postgresql";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { ApiError } from "../errors.js";
import { apiKeyFromHeaders, hashApiKey } from "../identity/api-keys.js";
import type { CredentialCache } from "../identity/credential-cache.js";
import { type JwtIssuer, looksLikeJwt } from "../identity/jwt.js";
import { type ResolvedCaller, resolveCaller } from "../server/auth-context.js";
import type { TokenBucket } from "./token-bucket.js";

/**
 * Admission: who is calling, and may they, before anything else runs. One function for every
 * edge (GraphQL over HTTP, each graphql-ws operation, the OpenAI-compatible routes):
 *
 * - The rate-limit bucket is the valid credential's (its hash), else the client's address.
 *   A credential that is not valid never names a bucket: an anonymous request, and every
 *   request with a bad credential, take from the address's bucket, so a random Authorization
 *   value per request buys nothing.
 * - A credential whose check needs the database (an API key not in the credential cache) takes
 *   its token from the address's bucket before the look-up, so unknown keys cannot make the api
 *   query PostgreSQL faster than the address's limit. A cached key and an access token (an
 *   HMAC and the in-memory revocation list) are checked first, for free.
 * - A credential that was sent and is bad (malformed, expired, revoked, unknown) is refused at
 *   once with UNAUTHENTICATED (HTTP 401): never served as anonymous.
 *
 * An empty bucket is RATE_LIMITED (HTTP 429) with the delay. The request takes one token; an
 * operation that stands for more (submitTasks: one per task) takes the rest through `more`.
 */
export type MoreTokens = (n: number) => Promise<void>;

export interface Admitted {
  ok: true;
  resolved: ResolvedCaller;
  /** The bucket the request took from: `cred:<hash>` or `ip:<address>`. */
  rateKey: string;
  remaining: number;
  /** Takes n more tokens from the same bucket, or throws RATE_LIMITED. */
  more: MoreTokens;
}

export interface Refused {
  ok: false;
  status: 401 | 429;
  error: ApiError;
}

export interface AdmissionDeps {
  bucket: TokenBucket;
  credentials: CredentialCache;
  jwt: JwtIssuer;
}

export function addressKey(address: string | undefined): string {
  return `ip:${address ?? "unknown"}`;
}

/** A credential's bucket, named by its hash (hashApiKey: the one hash a request computes). */
function credentialKey(credentialHash: string): string {
  return `cred:${credentialHash.slice(0, 32)}`;
}

function rateLimited(retryAfterMs: number): ApiError {
  return new ApiError("RATE_LIMITED", `rate limit exceeded: retry in ${retryAfterMs} ms`, { retryAfterMs });
}

/** Takes `n` more tokens for `key`, or throws RATE_LIMITED. */
function moreTokensOf(bucket: TokenBucket, key: string): MoreTokens {
  return async (n) => {
    if (n <= 0) return;
    const d = await bucket.take(key, n);
    if (!d.allowed) throw rateLimited(d.retryAfterMs);
  };
}

export async function admit(
  deps: AdmissionDeps,
  em: EntityManager,
  headers: Record<string, string | string[] | undefined>,
  address: string | undefined,
): Promise<Admitted | Refused> {
  const take = async (key: string, resolved: ResolvedCaller): Promise<Admitted | Refused> => {
    const d = await deps.bucket.take(key);
    if (!d.allowed) return { ok: false, status: 429, error: rateLimited(d.retryAfterMs) };
    return { ok: true, resolved, rateKey: key, remaining: d.remaining, more: moreTokensOf(deps.bucket, key) };
  };
  const credential = apiKeyFromHeaders(headers);
  const byAddress = addressKey(address);
  if (credential === undefined) return take(byAddress, { caller: null });
  const hash = hashApiKey(credential);
  const free = credential !== "" && (looksLikeJwt(credential) || deps.credentials.knowsKey(hash));
  if (!free) {
    const paid = await take(byAddress, { caller: null });
    if (!paid.ok) return paid;
  }
  const resolved =
    credential === ""
      ? { caller: null, authError: "malformed Authorization header (expected Bearer <token>)" }
      : await resolveCaller(em, deps.jwt, headers, deps.credentials, hash);
  if (!resolved.caller) {
    if (free) {
      const paid = await take(byAddress, resolved);
      if (!paid.ok) return paid;
    }
    return {
      ok: false,
      status: 401,
      error: new ApiError("UNAUTHENTICATED", resolved.authError ?? "invalid credential"),
    };
  }
  return take(credentialKey(hash), resolved);
}

/** What an admitted HTTP request carries to its handlers (`res.locals.admitted`). */
export interface AdmittedRequest {
  resolved: ResolvedCaller;
  em: EntityManager;
  more: MoreTokens;
}

export function admittedOf(res: Response): AdmittedRequest {
  const admitted = res.locals.admitted as AdmittedRequest | undefined;
  if (!admitted) throw new Error("the admission middleware did not run for this route");
  return admitted;
}

/**
 * The admission as Express middleware: refusals answer 401/429 with a GraphQL-shaped body
 * (`errors[0].extensions.code`, and Retry-After on 429), or through `refuse` where a route has
 * its own error format.
 */
export function admission(
  deps: AdmissionDeps,
  opts: { fork: () => EntityManager; refuse?: (res: Response, refusal: Refused) => void },
): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const em = opts.fork();
      const result = await admit(deps, em, req.headers, req.ip);
      if (!result.ok) {
        if (result.status === 429) {
          const ms = Number(result.error.details?.retryAfterMs ?? 1000);
          res.setHeader("retry-after", String(Math.max(1, Math.ceil(ms / 1000))));
        }
        if (opts.refuse) return opts.refuse(res, result);
        res.status(result.status).json({
          errors: [
            {
              message: result.error.message,
              extensions: { code: result.error.code, ...(result.error.details ?? {}) },
            },
          ],
        });
        return;
      }
      res.setHeader("x-ratelimit-remaining", String(result.remaining));
      res.locals.admitted = { resolved: result.resolved, em, more: result.more } satisfies AdmittedRequest;
      next();
    } catch (err) {
      next(err);
    }
  };
}

/**
 * A rate limit by client address alone, for routes that take no credential in a header (the
 * dashboard's /session/*: a password or a cookie): whatever headers are sent, the address's bucket
 * pays. An empty bucket answers 429 with Retry-After.
 */
export function addressRateLimit(bucket: TokenBucket): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const d = await bucket.take(addressKey(req.ip));
      if (d.allowed) return next();
      res.setHeader("retry-after", String(Math.max(1, Math.ceil(d.retryAfterMs / 1000))));
      const error = rateLimited(d.retryAfterMs);
      res
        .status(429)
        .json({ error: { code: error.code, message: error.message, retryAfterMs: d.retryAfterMs } });
    } catch (err) {
      next(err);
    }
  };
}
