import type { Account, Role } from "../db/entities/index.js";
import type { Scope } from "./scopes.js";

/**
 * Who is calling, and how they proved it. The account's id and role are at hand; the account
 * itself (`account`) becomes an entity of the request's unit of work at its first read (merged
 * from the credential cache, no query): a request that needs only the id, such as a submit,
 * never pays for the merge.
 */
export interface Caller {
  accountId: string;
  role: Role;
  readonly account: Account;
  via: "jwt" | "api-key";
  scopes: Scope[];
  /** When the credential stops being valid (access tokens); subscriptions close then. */
  expiresAt?: Date;
  /** Access tokens: the token's id and its refresh family (what a revocation names). */
  session?: { jti: string; family?: string };
}

/** A credential's account as its look-up found it: the entity only when asked for. */
export interface FoundAccount {
  id: string;
  role: Role;
  /** The account as an entity of the request's unit of work (the same one at each call). */
  entity(): Account;
}

/** The caller of a found account; `account` reads `found.entity()` at its first use. */
export function callerOf(found: FoundAccount, proof: Omit<Caller, "accountId" | "role" | "account">): Caller {
  return {
    accountId: found.id,
    role: found.role,
    get account() {
      return found.entity();
    },
    ...proof,
  };
}
