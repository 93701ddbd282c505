import { Authorized, Ctx, Query, Resolver } from "type-graphql";
import { AccountType, toAccountType } from "./account.type.js";
import type { ApiContext } from "./context.js";

@Resolver(() => AccountType)
export class AccountResolver {
  @Authorized()
  @Query(() => AccountType, { description: "The caller's account and balances." })
  async me(@Ctx() ctx: ApiContext): Promise<AccountType> {
    const account = ctx.account;
    if (!account) throw new Error("authChecker let an anonymous caller through");
    return toAccountType(ctx.em, account);
  }
}
