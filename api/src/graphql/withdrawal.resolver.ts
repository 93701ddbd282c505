import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import { ApiError, badInput } from "../errors.js";
import { requireCaller } from "./caller.js";
import type { ApiContext } from "./context.js";
import { TokenAmountScalar } from "./scalars.js";
import { WithdrawalType } from "./withdrawal.type.js";

/** At most this much in one withdrawal (the SPL token's u64 amount). */
const MAX_WITHDRAWAL = 2n ** 64n - 1n;

interface WithdrawalRow {
  id: string;
  amount: string;
  wallet: string;
  status: string;
  signature: string | null;
  error: string | null;
  created_at: Date;
}

@Resolver()
export class WithdrawalResolver {
  @Authorized("client", "scope:tasks:write")
  @Mutation(() => WithdrawalType, {
    description:
      "Sends NEURO from your available balance to your linked wallet: moved out now, returned if the transfer fails for good.",
  })
  async withdraw(
    @Arg("amount", () => TokenAmountScalar) amount: bigint,
    @Ctx() ctx: ApiContext,
  ): Promise<WithdrawalType> {
    const runner = ctx.services.withdrawals;
    if (!runner)
      throw new ApiError("CONFLICT", "withdrawals are not configured on this deployment (no Solana RPC)");
    if (amount <= 0n || amount > MAX_WITHDRAWAL)
      throw badInput("amount must be positive (at most 2^64-1 units)");
    const { account } = requireCaller(ctx);
    const made = await runner.request(account.id, amount);
    return { id: made.id, amount, wallet: made.wallet, status: "PENDING", createdAt: new Date() };
  }

  @Authorized("client", "scope:ledger:read")
  @Query(() => [WithdrawalType], { description: "Your withdrawals, newest first (an admin sees all)." })
  async withdrawals(
    @Arg("limit", () => Int, { defaultValue: 50 }) limit: number,
    @Ctx() ctx: ApiContext,
  ): Promise<WithdrawalType[]> {
    const { account } = requireCaller(ctx);
    const mine = account.role !== "admin";
    const rows = await ctx.em.execute<WithdrawalRow[]>(
      `select * from withdrawals ${mine ? "where account_id = ?" : ""} order by created_at desc, id desc limit ?`,
      [...(mine ? [account.id] : []), Math.max(1, Math.min(500, limit))],
    );
    return rows.map((r) => ({
      id: r.id,
      amount: BigInt(r.amount),
      wallet: r.wallet,
      status: r.status,
      signature: r.signature ?? undefined,
      error: r.error ?? undefined,
      createdAt: new Date(r.created_at),
    }));
  }
}
