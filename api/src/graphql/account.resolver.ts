import { Authorized, Ctx, Query, Resolver } from "type-graphql";
import { balancesOf } from "../ledger/accounts.js";
import { AccountType } from "./account.type.js";
import type { ApiContext } from "./context.js";

@Resolver(() => AccountType)
export class AccountResolver {
  @Authorized()
  @Query(() => AccountType, { description: "The caller's account and balances." })
  async me(@Ctx() ctx: ApiContext): Promise<AccountType> {
    const account = ctx.account;
    if (!account) throw new Error("authChecker let an anonymous caller through");
    return {
      id: account.id,
      name: account.name,
      role: account.role,
      balance: await balancesOf(ctx.em, account.id),
    };
  }
}
