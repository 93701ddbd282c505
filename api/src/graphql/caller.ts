import { Node } from "../db/entities/index.js";
import { ApiError } from "../errors.js";
import type { Caller } from "../identity/caller.js";
import { requireAccess } from "./auth-checker.js";
import type { ApiContext } from "./context.js";

/** The caller of a field guarded by @Authorized (which already refused anonymous callers). */
export function requireCaller(ctx: ApiContext): Caller {
  if (!ctx.caller) throw new ApiError("UNAUTHENTICATED", ctx.authError ?? "sign in or send an API key");
  return ctx.caller;
}

/**
 * For provider subscriptions about nodes: the caller must be a provider or an admin, with the
 * scope nodes:read (as the `nodes` and `alerts` queries); returns the ids of the provider's nodes
 * (read when the subscription starts), or undefined for an admin (every node).
 */
export async function providerNodeScope(ctx: ApiContext): Promise<Set<string> | undefined> {
  const caller = requireAccess(ctx, "provider", "scope:nodes:read");
  if (caller.account.role === "admin") return undefined;
  const nodes = await ctx.em.find(Node, { provider: caller.account.id }, { fields: ["id"] });
  return new Set(nodes.map((n) => n.id));
}
