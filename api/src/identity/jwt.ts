import { randomUUID } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";

/**
 * Access tokens: JWT, HS256, one hour. Claims: sub (account id), role, typ "access", jti, and
 * fam: the refresh-token family of the login that issued it, so that revoking the family (logout,
 * refresh-token reuse) revokes its access tokens too (identity/credential-cache.ts keeps the
 * revocation list). The secret comes from configuration (NEUROGRID_JWT_SECRET, ≥ 32 characters).
 * Only HS256 verifies: `alg: none` and every other algorithm are refused.
 */
const ACCESS_TOKEN_TTL_S = 3600;

export interface AccessClaims {
  accountId: string;
  role: string;
  expiresAt: Date;
  /** The token's own id. */
  jti: string;
  /** The refresh-token family it was issued with (absent for tokens made outside a login). */
  family?: string;
}

export class JwtIssuer {
  readonly #key: Uint8Array;

  readonly #ttlSeconds: number;

  /** How long an access token lives: a revocation is kept this long. */
  get ttlMs(): number {
    return this.#ttlSeconds * 1000;
  }

  constructor(secret: string, ttlSeconds = ACCESS_TOKEN_TTL_S) {
    this.#ttlSeconds = ttlSeconds;
    this.#key = new TextEncoder().encode(secret);
  }

  async sign(accountId: string, role: string, family?: string): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.#ttlSeconds;
    const token = await new SignJWT({ role, typ: "access", ...(family ? { fam: family } : {}) })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(accountId)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.#key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The claims of a valid access token; a reason string for an invalid or expired one. */
  async verify(token: string): Promise<AccessClaims | string> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { algorithms: ["HS256"] });
      if (
        payload.typ !== "access" ||
        typeof payload.sub !== "string" ||
        typeof payload.exp !== "number" ||
        typeof payload.jti !== "string"
      ) {
        return "not an access token";
      }
      return {
        accountId: payload.sub,
        role: String(payload.role),
        expiresAt: new Date(payload.exp * 1000),
        jti: payload.jti,
        family: typeof payload.fam === "string" ? payload.fam : undefined,
      };
    } catch (err) {
      if (err instanceof errors.JWTExpired) return "access token expired";
      return "invalid access token";
    }
  }
}

export const looksLikeJwt = (credential: string): boolean => credential.split(".").length === 3;
