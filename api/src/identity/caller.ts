import type { Account } from "../db/entities/index.js";
import type { Scope } from "./scopes.js";

/** Who is calling, and how they proved it. */
export interface Caller {
  account: Account;
  via: "jwt" | "api-key";
  scopes: Scope[];
  /** When the credential stops being valid (access tokens); subscriptions close then. */
  expiresAt?: Date;
  /** Access tokens: the token's id and its refresh family (what a revocation names). */
  session?: { jti: string; family?: string };
}
