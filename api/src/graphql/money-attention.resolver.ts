import { Arg, Authorized, Ctx, Int, Query, Resolver } from "type-graphql";
import { badInput } from "../errors.js";
import type { ApiContext } from "./context.js";
import { MoneyAttentionItemType } from "./money-attention.type.js";

/** The default age after which a PENDING payout or withdrawal, or a SEEN deposit, counts as stuck. */
const DEFAULT_STUCK_AFTER_MINUTES = 30;
const MAX_STUCK_AFTER_MINUTES = 7 * 24 * 60;
const MAX_ITEMS = 500;

interface AttentionRow {
  kind: string;
  id: string;
  account_id: string;
  account_name: string;
  amount: string;
  status: string;
  signature: string | null;
  error: string | null;
  created_at: string | Date;
}

@Resolver()
export class MoneyAttentionResolver {
  @Authorized("admin")
  @Query(() => [MoneyAttentionItemType], {
    description:
      "Admin: payouts and withdrawals that FAILED or have been PENDING longer than stuckAfterMinutes, and deposits seen on chain but not credited for that long; oldest first. Transfers credited to nobody: unmatchedDeposits.",
  })
  async moneyNeedingAttention(
    @Arg("stuckAfterMinutes", () => Int, { defaultValue: DEFAULT_STUCK_AFTER_MINUTES }) minutes: number,
    @Ctx() ctx: ApiContext,
  ): Promise<MoneyAttentionItemType[]> {
    if (minutes < 1 || minutes > MAX_STUCK_AFTER_MINUTES) {
      throw badInput(`stuckAfterMinutes must be between 1 and ${MAX_STUCK_AFTER_MINUTES}`);
    }
    const stuck = "now() - ? * interval '1 minute'";
    const rows = await ctx.em.execute<AttentionRow[]>(
      `select * from (
         select 'payout' as kind, p.id, p.provider_id as account_id, a.name as account_name, p.amount,
           p.status, p.signature, p.error, p.created_at
         from payouts p join accounts a on a.id = p.provider_id
         where p.status = 'FAILED' or (p.status = 'PENDING' and p.created_at < ${stuck})
         union all
         select 'withdrawal', w.id, w.account_id, a.name, w.amount, w.status, w.signature, w.error, w.created_at
         from withdrawals w join accounts a on a.id = w.account_id
         where w.status = 'FAILED' or (w.status = 'PENDING' and w.created_at < ${stuck})
         union all
         select 'deposit', d.id, d.account_id, a.name, d.amount, d.status, d.signature, null, d.created_at
         from deposit_requests d join accounts a on a.id = d.account_id
         where d.status = 'SEEN' and d.created_at < ${stuck}
       ) attention order by created_at, id limit ?`,
      [minutes, minutes, minutes, MAX_ITEMS],
    );
    return rows.map((r) => ({
      kind: r.kind,
      id: r.id,
      accountId: r.account_id,
      accountName: r.account_name,
      amount: BigInt(r.amount),
      status: r.status,
      reason: r.status === "FAILED" ? "FAILED" : "STUCK",
      signature: r.signature ?? undefined,
      error: r.error ?? undefined,
      createdAt: new Date(r.created_at),
    }));
  }
}
