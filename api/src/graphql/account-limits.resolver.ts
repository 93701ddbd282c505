import { Arg, Authorized, Ctx, ID, Int, Mutation, Resolver } from "type-graphql";
import { Account } from "../db/entities/index.js";
import { badInput, notFound } from "../errors.js";
import type { ApiContext } from "./context.js";
import { isUuid } from "./ids.js";

/** Admins set per-account limits (tasks/priority-caps.ts). */
@Resolver()
export class AccountLimitsResolver {
  @Authorized("admin")
  @Mutation(() => Int, {
    description:
      "Admin: the highest task priority a client account may use (every account may use up to the " +
      "configured default). Answers the cap now in force.",
  })
  async setAccountMaxPriority(
    @Arg("accountId", () => ID) accountId: string,
    @Arg("maxPriority", () => Int) maxPriority: number,
    @Ctx() ctx: ApiContext,
  ): Promise<number> {
    if (!Number.isInteger(maxPriority) || maxPriority < 0 || maxPriority > 999) {
      throw badInput("maxPriority must be an integer from 0 to 999");
    }
    const target = isUuid(accountId) ? await ctx.em.findOne(Account, accountId) : null;
    if (!target) throw notFound(`account ${accountId}`);
    await ctx.services.priorities.set(target.id, maxPriority);
    return ctx.services.priorities.capOf(target.id);
  }
}
