import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { ApiError, badInput } from "../errors.js";
import type { ProviderStakes } from "../stakes/provider-stakes.js";
import { requireCaller } from "./caller.js";
import type { ApiContext } from "./context.js";
import { TokenAmountScalar } from "./scalars.js";
import { StakeType } from "./stake.type.js";

@Resolver()
export class StakeResolver {
  @Authorized("provider", "scope:ledger:read")
  @Query(() => StakeType, { description: "Your stake." })
  async stake(@Ctx() ctx: ApiContext): Promise<StakeType> {
    const { account } = requireCaller(ctx);
    return toStake(await stakesOf(ctx).summary(account.id));
  }

  @Authorized("provider", "scope:nodes:write")
  @Mutation(() => StakeType, { description: "Moves NEURO from your earnings into your stake." })
  async stakeEarnings(
    @Arg("amount", () => TokenAmountScalar) amount: bigint,
    @Ctx() ctx: ApiContext,
  ): Promise<StakeType> {
    if (amount <= 0n) throw badInput("amount must be positive");
    const { account } = requireCaller(ctx);
    const stakes = stakesOf(ctx);
    await stakes.stake(account.id, amount);
    return toStake(await stakes.summary(account.id));
  }

  @Authorized("provider", "scope:nodes:write")
  @Mutation(() => StakeType, {
    description: "Takes NEURO out of your stake: back in your earnings after the cooling-off period.",
  })
  async unstake(
    @Arg("amount", () => TokenAmountScalar) amount: bigint,
    @Ctx() ctx: ApiContext,
  ): Promise<StakeType> {
    if (amount <= 0n) throw badInput("amount must be positive");
    const { account } = requireCaller(ctx);
    const stakes = stakesOf(ctx);
    await stakes.unstake(account.id, amount);
    return toStake(await stakes.summary(account.id));
  }
}

function stakesOf(ctx: ApiContext): ProviderStakes {
  const stakes = ctx.services.stakes;
  if (!stakes) throw new ApiError("CONFLICT", "stakes are not configured on this deployment (no Solana RPC)");
  return stakes;
}

function toStake(s: { staked: bigint; cooling: bigint; nextReleaseAt: Date | null }): StakeType {
  return { staked: s.staked, cooling: s.cooling, nextReleaseAt: s.nextReleaseAt ?? undefined };
}
