import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { DepositRequestRow } from "../deposits/deposit-requests.js";
import type { DepositService } from "../deposits/deposit-service.js";
import { ApiError, badInput, notFound } from "../errors.js";
import { AsyncQueue } from "../tasks/async-queue.js";
import { requireAccess } from "./auth-checker.js";
import { requireCaller } from "./caller.js";
import type { ApiContext } from "./context.js";
import {
  ChainTransferType,
  DepositRequestType,
  DepositStatusEventType,
  DepositWatchRunType,
} from "./deposit.type.js";
import { TokenAmountScalar } from "./scalars.js";

/** At most this much in one transfer request (the SPL token's u64 amount). */
const MAX_DEPOSIT = 2n ** 64n - 1n;

@Resolver()
export class DepositResolver {
  @Authorized("client", "scope:tasks:write")
  @Mutation(() => DepositRequestType, {
    description: "A Solana Pay transfer request for your balance: pay it in NEURO, watch depositStatus.",
  })
  async depositRequest(
    @Arg("amount", () => TokenAmountScalar) amount: bigint,
    @Ctx() ctx: ApiContext,
  ): Promise<DepositRequestType> {
    const { account } = requireCaller(ctx);
    if (amount <= 0n || amount > MAX_DEPOSIT)
      throw badInput("amount must be positive (at most 2^64-1 units)");
    const made = await depositsOf(ctx).request(account.id, amount);
    return {
      id: made.row.id,
      url: made.url,
      reference: made.row.reference,
      amount,
      memo: made.row.memo,
      expiresAt: new Date(made.row.expires_at),
      qrCode: made.qrCode,
      status: made.row.status,
    };
  }

  @Authorized("admin")
  @Query(() => [ChainTransferType], {
    description: "Admin: transfers to the treasury credited to nobody (unknown sender, underpaid, expired…).",
  })
  async unmatchedDeposits(
    @Arg("limit", () => Int, { defaultValue: 100 }) limit: number,
    @Ctx() ctx: ApiContext,
  ): Promise<ChainTransferType[]> {
    const rows = await ctx.em.execute<
      {
        signature: string;
        status: string;
        amount: string;
        sender: string | null;
        reason: string | null;
        request_id: string | null;
        seen_at: Date;
      }[]
    >("select * from chain_transfers where status = 'UNMATCHED' order by seen_at desc, signature limit ?", [
      Math.max(1, Math.min(1000, limit)),
    ]);
    return rows.map((r) => ({
      signature: r.signature,
      status: r.status,
      amount: BigInt(r.amount),
      sender: r.sender ?? undefined,
      reason: r.reason ?? undefined,
      requestId: r.request_id ?? undefined,
      seenAt: new Date(r.seen_at),
    }));
  }

  @Authorized("admin")
  @Mutation(() => DepositWatchRunType, {
    description: "Admin: runs the deposit watcher now (it also runs on a schedule).",
  })
  async runDepositWatch(@Ctx() ctx: ApiContext): Promise<DepositWatchRunType> {
    return depositsOf(ctx).watcher.run();
  }

  @Subscription(() => DepositStatusEventType, {
    description:
      "A deposit request's status: its current state first, then SEEN (paid, confirmed), CREDITED (finalized) or EXPIRED.",
    subscribe: ({ args, context }) => subscribeDepositStatus(context as ApiContext, args.reference as string),
  })
  depositStatus(
    @Arg("reference", () => String) _reference: string,
    @Root() event: DepositStatusEventType,
  ): DepositStatusEventType {
    return event;
  }
}

function depositsOf(ctx: ApiContext): DepositService {
  const deposits = ctx.services.deposits;
  if (!deposits)
    throw new ApiError("CONFLICT", "deposits are not configured on this deployment (no Solana RPC)");
  return deposits;
}

async function subscribeDepositStatus(
  ctx: ApiContext,
  reference: string,
): Promise<AsyncIterable<DepositStatusEventType>> {
  // As depositRequest: a client (or an admin) whose credential may handle its tasks' money.
  const caller = requireAccess(ctx, "client", "scope:tasks:write");
  const role = caller.account.role;
  const bus = ctx.services.depositEvents;
  if (!bus) throw new ApiError("CONFLICT", "deposits are not configured on this deployment (no Solana RPC)");
  const read = async () => {
    const [row] = await ctx.services.orm.em
      .fork()
      .execute<DepositRequestRow[]>("select * from deposit_requests where reference = ?", [reference]);
    return row;
  };
  const first = await read();
  if (!first || (role !== "admin" && first.account_id !== caller.account.id)) {
    throw notFound(`deposit request ${reference}`);
  }
  let stop = () => {};
  const queue = new AsyncQueue<DepositStatusEventType>(() => stop());
  // The stream ends with the request's final state (CREDITED or EXPIRED).
  const deliver = (event: DepositStatusEventType) => {
    queue.push(event);
    if (event.status === "CREDITED" || event.status === "EXPIRED") {
      queue.end();
      stop();
    }
  };
  // Subscribe first, then read the current state: nothing falls between the two.
  stop = await bus.subscribe(first.account_id, (e) => {
    if (e.reference !== reference) return;
    deliver({
      requestId: e.requestId,
      reference: e.reference,
      status: e.status,
      amount: BigInt(e.amount),
      signature: e.signature,
      at: new Date(e.at),
    });
  });
  const now = (await read()) ?? first;
  deliver({
    requestId: now.id,
    reference: now.reference,
    status: now.status,
    amount: BigInt(now.credited_amount ?? now.amount),
    signature: now.signature ?? undefined,
    at: new Date(),
  });
  return queue;
}
