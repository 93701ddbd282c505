import { createHash } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { ApiError } from "../errors.js";
import { apiKeyFromHeaders } from "../identity/api-keys.js";
import type { TokenBucket } from "./token-bucket.js";

/**
 * Per-credential rate limits on /graphql: the bucket is keyed by the credential's hash (an API
 * key or a token), or by the client address for anonymous calls. An empty bucket answers
 * HTTP 429 with a GraphQL error RATE_LIMITED that carries the delay (and Retry-After).
 * The request takes one token here; an operation that stands for more (submitTasks: one per
 * task) takes the rest through `res.locals.rateLimit` (moreTokens), keyed the same way.
 * Over graphql-ws each operation (query, mutation or subscription) takes a token from the
 * same bucket (server/api-server.ts), so the socket is no way around the limit.
 */
export type MoreTokens = (n: number) => Promise<void>;

/** The bucket of a caller: its credential's hash, else its address. */
export function rateLimitKey(
  headers: Record<string, string | string[] | undefined>,
  address: string | undefined,
): string {
  const credential = apiKeyFromHeaders(headers);
  return credential
    ? `cred:${createHash("sha256").update(credential).digest("hex").slice(0, 32)}`
    : `ip:${address ?? "unknown"}`;
}

/** Takes `n` more tokens for `key`, or throws RATE_LIMITED. */
export function moreTokensOf(bucket: TokenBucket, key: string): MoreTokens {
  return async (n) => {
    if (n <= 0) return;
    const d = await bucket.take(key, n);
    if (!d.allowed) throw rateLimited(d.retryAfterMs);
  };
}

/** The RATE_LIMITED error of a refused decision. */
function rateLimited(retryAfterMs: number): ApiError {
  return new ApiError("RATE_LIMITED", `rate limit exceeded: retry in ${retryAfterMs} ms`, { retryAfterMs });
}

export function rateLimit(bucket: TokenBucket) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== "POST" && req.query.query === undefined) return next();
    const key = rateLimitKey(req.headers, req.ip);
    try {
      const decision = await bucket.take(key);
      res.locals.rateLimit = moreTokensOf(bucket, key);
      res.setHeader("x-ratelimit-remaining", String(decision.remaining));
      if (decision.allowed) return next();
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      res.setHeader("retry-after", String(seconds));
      res.status(429).json({
        errors: [
          {
            message: `rate limit exceeded: retry in ${decision.retryAfterMs} ms`,
            extensions: { code: "RATE_LIMITED", retryAfterMs: decision.retryAfterMs },
          },
        ],
      });
    } catch (err) {
      next(err);
    }
  };
}
