import type { AuthChecker } from "type-graphql";
import { ApiError } from "../errors.js";
import type { Caller } from "../identity/caller.js";
import type { ApiContext } from "./context.js";

/**
 * `@Authorized(...requirements)` on every field that needs a caller. A requirement is a role
 * ("client", "provider", "admin") or a scope ("scope:tasks:write"):
 *   - no or a bad credential: UNAUTHENTICATED;
 *   - roles listed and the caller's role is not among them (admins pass everywhere): FORBIDDEN;
 *   - scopes listed and the caller's credential lacks one (a scoped API key): FORBIDDEN.
 * Subscriptions bring their own streams (`subscribe:`), where type-graphql's @Authorized does
 * not run before the stream starts: each calls `requireAccess` with the same requirements as the
 * query that reads the same data, so a `ledger:read` key cannot follow node events either.
 */
export function requireAccess(ctx: ApiContext, ...requirements: string[]): Caller {
  const caller = ctx.caller;
  if (!caller) throw new ApiError("UNAUTHENTICATED", ctx.authError ?? "sign in or send an API key");
  const roles = requirements.filter((r) => !r.startsWith("scope:"));
  const scopes = requirements.filter((r) => r.startsWith("scope:")).map((r) => r.slice("scope:".length));
  const { role } = caller;
  if (roles.length > 0 && role !== "admin" && !roles.includes(role)) {
    throw new ApiError("FORBIDDEN", `this needs the role ${roles.join(" or ")}`);
  }
  const granted = new Set<string>(caller.scopes);
  const missing = scopes.filter((s) => !granted.has(s) && !granted.has("admin"));
  if (missing.length > 0)
    throw new ApiError("FORBIDDEN", `this credential lacks the scope ${missing.join(", ")}`);
  return caller;
}

export const authChecker: AuthChecker<ApiContext> = ({ context }, requirements) => {
  requireAccess(context, ...requirements);
  return true;
};
