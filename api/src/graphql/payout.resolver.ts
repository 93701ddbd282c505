import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { ApiError, badInput } from "../errors.js";
import type { Caller } from "../identity/caller.js";
import type { Scope } from "../identity/scopes.js";
import { AsyncQueue } from "../tasks/async-queue.js";
import { issueChallenge, linkWallet } from "../wallets/wallet-link.js";
import { requireAccess } from "./auth-checker.js";
import { requireCaller } from "./caller.js";
import { type ConnectionShape, decodeCursor, PageArgs, pageSize, toConnection } from "./connection.js";
import type { ApiContext } from "./context.js";
import {
  PayoutConnection,
  PayoutRunType,
  PayoutStatusEventType,
  PayoutType,
  WalletChallengeType,
  WalletType,
} from "./payout.type.js";

interface PayoutRow {
  id: string;
  provider_id: string;
  status: string;
  amount: string;
  wallet: string;
  signature: string | null;
  error: string | null;
  batch_id: string | null;
  created_at: Date;
  settled_at: Date | null;
}

@Resolver()
export class PayoutResolver {
  @Authorized("provider", "client")
  @Mutation(() => WalletChallengeType, {
    description:
      "A message for your wallet to sign: payouts and withdrawals go to it; NEURO it sends the treasury is credited to you.",
  })
  async walletChallenge(@Arg("address", () => String) address: string, @Ctx() ctx: ApiContext) {
    const { account } = requireWalletScope(ctx, "write");
    return issueChallenge(ctx.em, account, address, ctx.services.config.publicDomain);
  }

  @Authorized("provider", "client")
  @Mutation(() => WalletType, {
    description: "Links the wallet that signed the challenge (base58 signature).",
  })
  async linkWallet(
    @Arg("message", () => String) message: string,
    @Arg("signature", () => String) signature: string,
    @Ctx() ctx: ApiContext,
  ): Promise<WalletType> {
    const { account } = requireWalletScope(ctx, "write");
    const { config } = ctx.services;
    await linkWallet(ctx.em, account, message, signature, config.publicDomain, config.walletRelinkCooldownMs);
    return (await this.wallet(ctx)) as WalletType;
  }

  @Authorized("provider", "client")
  @Query(() => WalletType, { nullable: true, description: "Your linked wallet." })
  async wallet(@Ctx() ctx: ApiContext): Promise<WalletType | null> {
    const { account } = requireWalletScope(ctx, "read");
    // A raw query answers timestamptz as a string (the ORM's type parsers), not a Date.
    const [row] = await ctx.em.execute<
      { address: string; token_account: string | null; linked_at: string }[]
    >("select address, token_account, linked_at from wallets where account_id = ?", [account.id]);
    return row
      ? {
          address: row.address,
          tokenAccount: row.token_account ?? undefined,
          linkedAt: new Date(row.linked_at),
        }
      : null;
  }

  @Authorized("provider", "scope:ledger:read")
  @Query(() => PayoutConnection, { description: "Your payouts, newest first (an admin sees all)." })
  async payouts(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("status", () => String, { nullable: true }) status: string | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<ConnectionShape<PayoutType>> {
    const { account } = requireCaller(ctx);
    const n = pageSize(page.first);
    if (status !== undefined && !["PENDING", "CONFIRMED", "FAILED"].includes(status)) {
      throw badInput("status is PENDING, CONFIRMED or FAILED");
    }
    const where: string[] = [];
    const params: unknown[] = [];
    if (account.role !== "admin") {
      where.push("provider_id = ?");
      params.push(account.id);
    }
    if (status) {
      where.push("status = ?");
      params.push(status);
    }
    const whereSql = where.length ? `where ${where.join(" and ")}` : "";
    const [count] = await ctx.em.execute<{ n: string }[]>(
      `select count(*) as n from payouts ${whereSql}`,
      params,
    );
    if (page.after) {
      const k = decodeCursor(page.after);
      where.push("(created_at < ? or (created_at = ? and id < ?))");
      params.push(k.createdAt, k.createdAt, k.id);
    }
    const rows = await ctx.em.execute<PayoutRow[]>(
      `select * from payouts ${where.length ? `where ${where.join(" and ")}` : ""}
        order by created_at desc, id desc limit ?`,
      [...params, n + 1],
    );
    const mapped = rows.map((r) => ({ ...r, createdAt: new Date(r.created_at) }));
    return toConnection(mapped, n, Number(count?.n ?? 0), Boolean(page.after), toPayoutType);
  }

  @Authorized("admin")
  @Mutation(() => PayoutRunType, {
    description:
      "Admin: runs the payout job now, in the payouts process (it also runs on a schedule), and answers its summary.",
  })
  async runPayouts(@Ctx() ctx: ApiContext): Promise<PayoutRunType> {
    const { payoutRuns } = ctx.services;
    if (!payoutRuns)
      throw new ApiError("CONFLICT", "payouts are not configured on this deployment (no Solana RPC)");
    return payoutRuns.run();
  }

  @Subscription(() => PayoutStatusEventType, {
    description: "Your payouts' status changes (PENDING, CONFIRMED, FAILED) as they happen.",
    subscribe: ({ context }) => subscribePayoutStatus(context as ApiContext),
  })
  payoutStatus(@Root() event: PayoutStatusEventType): PayoutStatusEventType {
    return event;
  }
}

async function subscribePayoutStatus(ctx: ApiContext): Promise<AsyncIterable<PayoutStatusEventType>> {
  // As the `payouts` query: a provider (or an admin) with the scope ledger:read.
  const caller = requireAccess(ctx, "provider", "scope:ledger:read");
  const queue = new AsyncQueue<PayoutStatusEventType>(() => stop());
  const stop = await ctx.services.payoutEvents.subscribe(caller.account.id, (e) =>
    queue.push({
      payoutId: e.payoutId,
      status: e.status,
      amount: BigInt(e.amount),
      signature: e.signature,
      at: new Date(e.at),
    }),
  );
  return queue;
}

/**
 * A wallet is a provider's (paid to) or a client's (deposits from it credited, withdrawals to
 * it): a scoped key needs its role's nodes or tasks scope, as for the role's other writes/reads.
 */
function requireWalletScope(ctx: ApiContext, access: "read" | "write"): Caller {
  const caller = requireCaller(ctx);
  const role = caller.account.role;
  if (role === "admin") return caller;
  const scope: Scope = role === "client" ? `tasks:${access}` : `nodes:${access}`;
  if (!caller.scopes.includes(scope))
    throw new ApiError("FORBIDDEN", `this credential lacks the scope ${scope}`);
  return caller;
}

function toPayoutType(r: PayoutRow & { createdAt: Date }): PayoutType {
  return {
    id: r.id,
    providerId: r.provider_id,
    status: r.status,
    amount: BigInt(r.amount),
    wallet: r.wallet,
    signature: r.signature ?? undefined,
    error: r.error ?? undefined,
    batchId: r.batch_id ?? undefined,
    createdAt: r.createdAt,
    settledAt: r.settled_at ?? undefined,
  };
}
