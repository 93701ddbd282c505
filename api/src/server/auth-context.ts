import type { EntityManager } from "@mikro-orm/postgresql";
import { apiKeyFromHeaders } from "../identity/api-keys.js";
import { type Caller, callerOf } from "../identity/caller.js";
import type { CredentialCache } from "../identity/credential-cache.js";
import { type JwtIssuer, looksLikeJwt } from "../identity/jwt.js";
import { isScope, scopesOfRole } from "../identity/scopes.js";

/**
 * Resolves the caller from HTTP headers or graphql-ws connection params (same names):
 * `Authorization: Bearer <JWT access token | API key>` or `x-api-key: <API key>`. No credential
 * is an anonymous caller; a bad one (malformed, expired, revoked, unknown) is `authError`, which
 * every edge refuses at once with UNAUTHENTICATED (protection/admission.ts): a bad credential is
 * never served as anonymous. Through the process's `CredentialCache` a known credential costs no
 * query, and an access token whose id or refresh family was revoked fails at once.
 */
export interface ResolvedCaller {
  caller: Caller | null;
  authError?: string;
}

export async function resolveCaller(
  em: EntityManager,
  jwt: JwtIssuer,
  headers: Record<string, string | string[] | undefined>,
  cache: CredentialCache,
  /** The credential's hashApiKey, when the caller has it already. */
  keyHash?: string,
): Promise<ResolvedCaller> {
  const credential = apiKeyFromHeaders(headers);
  if (credential === undefined) return { caller: null };
  if (credential === "")
    return { caller: null, authError: "malformed Authorization header (expected Bearer <token>)" };
  if (looksLikeJwt(credential)) {
    const claims = await jwt.verify(credential);
    if (typeof claims === "string") return { caller: null, authError: claims };
    if (await cache.accessRevoked([claims.jti, claims.family])) {
      return {
        caller: null,
        authError: "this session was revoked (signed out, or its refresh token was reused)",
      };
    }
    const account = await cache.account(em, claims.accountId);
    if (!account) return { caller: null, authError: "the token's account no longer exists" };
    return {
      caller: callerOf(account, {
        via: "jwt",
        scopes: scopesOfRole(account.role),
        expiresAt: claims.expiresAt,
        session: { jti: claims.jti, family: claims.family },
      }),
    };
  }
  const found = await cache.apiKey(em, credential, keyHash);
  if (!found) return { caller: null, authError: "invalid or revoked API key" };
  const scopes = found.scopes.filter(isScope);
  return {
    caller: callerOf(found.account, {
      via: "api-key",
      scopes: scopes.length > 0 ? scopes : scopesOfRole(found.account.role),
    }),
  };
}

/** graphql-ws connection params → header-like record (keys lower-cased). */
export function paramsAsHeaders(params: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) if (typeof v === "string") out[k.toLowerCase()] = v;
  return out;
}
