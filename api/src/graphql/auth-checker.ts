import type { AuthChecker } from "type-graphql";
import { ApiError } from "../errors.js";
import type { ApiContext } from "./context.js";

/**
 * `@Authorized(...roles)` on every field that needs a caller: no or a bad key is
 * UNAUTHENTICATED; a caller whose role is not listed is FORBIDDEN (admins pass everywhere).
 */
export const authChecker: AuthChecker<ApiContext> = ({ context }, roles) => {
  const account = context.account;
  if (!account) throw new ApiError("UNAUTHENTICATED", context.authError ?? "a valid API key is required");
  if (roles.length === 0 || account.role === "admin" || roles.includes(account.role)) return true;
  throw new ApiError("FORBIDDEN", `this needs the role ${roles.join(" or ")}`);
};
