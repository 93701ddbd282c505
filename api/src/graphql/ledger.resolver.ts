import { parseNeuro } from "@neurogrid/contracts";
import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { Account } from "../db/entities/index.js";
import { ApiError, badInput, notFound } from "../errors.js";
import { balancesOf } from "../ledger/accounts.js";
import { checkLedger } from "../ledger/check.js";
import { deposit } from "../ledger/deposit.js";
import { BalanceType } from "./account.type.js";
import { requireCaller } from "./caller.js";
import { type ConnectionShape, decodeCursor, PageArgs, pageSize, toConnection } from "./connection.js";
import type { ApiContext } from "./context.js";
import { isUuid } from "./ids.js";
import { DepositInput, LedgerEntryFilter } from "./ledger.input.js";
import { LedgerEntryConnection, LedgerEntryType, PlatformLedgerType } from "./ledger.type.js";

/** The most one faucet call gives (development deployments only). */
const FAUCET_MAX = parseNeuro("100");

interface EntryRow {
  id: string;
  amount: string;
  account_kind: string;
  owner_id: string | null;
  movement: string;
  movement_id: string;
  task_id: string | null;
  memo: string;
  created_at: Date;
}

@Resolver()
export class LedgerResolver {
  @Authorized("scope:ledger:read")
  @Query(() => LedgerEntryConnection, {
    description: "Entries on your ledger accounts, newest first (an admin sees every entry, or one owner's).",
  })
  async ledgerEntries(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("ownerId", () => ID, { nullable: true, description: "Admin only: one account's entries." })
    ownerId: string | undefined,
    @Arg("filter", () => LedgerEntryFilter, { nullable: true }) filter: LedgerEntryFilter | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<ConnectionShape<LedgerEntryType>> {
    const { account } = requireCaller(ctx);
    const n = pageSize(page.first);
    if (ownerId !== undefined && account.role !== "admin")
      throw new ApiError("FORBIDDEN", "ownerId is for admins");
    if (ownerId !== undefined && !isUuid(ownerId)) throw badInput("ownerId is not an id");
    const owner = account.role === "admin" ? ownerId : account.id;
    const where: string[] = [];
    const params: unknown[] = [];
    if (owner !== undefined) {
      where.push("a.owner_id = ?");
      params.push(owner);
    }
    if (filter?.movement?.length) {
      where.push(`t.kind in (${filter.movement.map(() => "?").join(", ")})`);
      params.push(...filter.movement);
    }
    if (filter?.accountKind?.length) {
      where.push(`a.kind in (${filter.accountKind.map(() => "?").join(", ")})`);
      params.push(...filter.accountKind);
    }
    if (filter?.taskId !== undefined) {
      if (!isUuid(filter.taskId)) throw badInput("taskId is not an id");
      where.push("t.task_id = ?");
      params.push(filter.taskId);
    }
    const countRows = await ctx.em.execute<{ n: string }[]>(
      `select count(*) as n from ledger_entries e join ledger_accounts a on a.id = e.account_id
         join ledger_transactions t on t.id = e.transaction_id ${where.length ? `where ${where.join(" and ")}` : ""}`,
      params,
    );
    if (page.after) {
      const k = decodeCursor(page.after);
      where.push("(e.created_at < ? or (e.created_at = ? and e.id < ?))");
      params.push(k.createdAt, k.createdAt, k.id);
    }
    const rows = await ctx.em.execute<EntryRow[]>(
      `select e.id, e.amount, a.kind as account_kind, a.owner_id, t.kind as movement, t.id as movement_id,
              t.task_id, t.memo, e.created_at
         from ledger_entries e
         join ledger_accounts a on a.id = e.account_id
         join ledger_transactions t on t.id = e.transaction_id
        ${where.length ? `where ${where.join(" and ")}` : ""}
        order by e.created_at desc, e.id desc limit ?`,
      [...params, n + 1],
    );
    const mapped = rows.map((r) => ({ ...r, createdAt: new Date(r.created_at), id: String(r.id) }));
    return toConnection(mapped, n, Number(countRows[0]?.n ?? 0), Boolean(page.after), (r) => ({
      id: r.id,
      amount: BigInt(r.amount),
      accountKind: r.account_kind,
      ownerId: r.owner_id ?? undefined,
      movement: r.movement,
      movementId: r.movement_id,
      taskId: r.task_id ?? undefined,
      memo: r.memo,
      createdAt: r.createdAt,
    }));
  }

  @Authorized("admin")
  @Query(() => PlatformLedgerType, { description: "Admin: totals by account kind and the ledger check." })
  async platformLedger(@Ctx() ctx: ApiContext): Promise<PlatformLedgerType> {
    const rows = await ctx.em.execute<{ kind: string; n: string; balance: string }[]>(
      "select kind, count(*) as n, coalesce(sum(balance), 0) as balance from ledger_accounts group by kind order by kind",
    );
    const check = await checkLedger(ctx.em);
    return {
      totals: rows.map((r) => ({ kind: r.kind, accounts: Number(r.n), balance: BigInt(r.balance) })),
      balanced: check.ok,
    };
  }

  @Authorized("admin")
  @Mutation(() => BalanceType, { description: "Admin: credits a client's balance from outside (a deposit)." })
  async deposit(
    @Arg("input", () => DepositInput) input: DepositInput,
    @Ctx() ctx: ApiContext,
  ): Promise<BalanceType> {
    if (input.amount <= 0n) throw badInput("amount must be positive");
    const target = isUuid(input.accountId) ? await ctx.em.findOne(Account, input.accountId) : null;
    if (!target) throw notFound(`account ${input.accountId}`);
    if (target.role !== "client") throw badInput("deposits go to client accounts");
    const caller = requireCaller(ctx);
    await deposit(ctx.em, target.id, input.amount, input.memo || `deposit by ${caller.account.name}`);
    return balancesOf(ctx.em, target.id);
  }

  @Authorized("client", "scope:tasks:write")
  @Mutation(() => BalanceType, {
    description: "Development only: gives your client account test NEURO (at most 100 per call).",
  })
  async faucet(
    @Arg("amount", () => String, {
      nullable: true,
      description: 'Decimal NEURO, e.g. "10.5"; 100 when omitted.',
    })
    amount: string | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<BalanceType> {
    if (!ctx.services.config.faucet) throw new ApiError("FORBIDDEN", "the faucet is off on this deployment");
    let units: bigint;
    try {
      units = amount === undefined ? FAUCET_MAX : parseNeuro(amount);
    } catch {
      throw badInput("amount must be a decimal NEURO amount with at most 9 decimals");
    }
    if (units <= 0n || units > FAUCET_MAX) throw badInput("the faucet gives between 0 and 100 NEURO");
    const { account } = requireCaller(ctx);
    await deposit(ctx.em, account.id, units, "faucet");
    return balancesOf(ctx.em, account.id);
  }
}
