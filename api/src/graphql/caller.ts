import { ApiError } from "../errors.js";
import type { Caller } from "../identity/caller.js";
import type { ApiContext } from "./context.js";

/** The caller of a field guarded by @Authorized (which already refused anonymous callers). */
export function requireCaller(ctx: ApiContext): Caller {
  if (!ctx.caller) throw new ApiError("UNAUTHENTICATED", ctx.authError ?? "sign in or send an API key");
  return ctx.caller;
}
