import { Arg, Args, Authorized, Ctx, Query, Resolver } from "type-graphql";
import { LedgerAccountKind } from "../db/entities/index.js";
import { badInput } from "../errors.js";
import { AccountSummaryConnection, type AccountSummaryType } from "./admin-accounts.type.js";
import { type ConnectionShape, decodeCursor, PageArgs, pageSize, toConnection } from "./connection.js";
import type { ApiContext } from "./context.js";

/** Longest search text; longer is refused rather than cut. */
const MAX_SEARCH_CHARS = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface AccountRow {
  id: string;
  name: string;
  email: string | null;
  role: string;
  created_at: string | Date;
  available: string | null;
  held: string | null;
  earnings: string | null;
  pending: string | null;
}

@Resolver()
export class AdminAccountsResolver {
  @Authorized("admin")
  @Query(() => AccountSummaryConnection, {
    description:
      "Admin: accounts with their balances, newest first; `search` matches part of the name or email, or the exact id.",
  })
  async accounts(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("search", () => String, { nullable: true }) search: string | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<ConnectionShape<AccountSummaryType>> {
    const n = pageSize(page.first);
    const text = search?.trim() ?? "";
    if (text.length > MAX_SEARCH_CHARS) throw badInput(`search is at most ${MAX_SEARCH_CHARS} characters`);
    const where: string[] = [];
    const params: unknown[] = [];
    if (text !== "") {
      const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(
        UUID.test(text)
          ? "(a.id = ?::uuid or a.name ilike ? or a.email ilike ?)"
          : "(a.name ilike ? or a.email ilike ?)",
      );
      if (UUID.test(text)) params.push(text);
      params.push(like, like);
    }
    const filterSql = where.length > 0 ? `where ${where.join(" and ")}` : "";
    const filterParams = [...params];
    if (page.after) {
      const k = decodeCursor(page.after);
      where.push("(a.created_at, a.id) < (?, ?::uuid)");
      params.push(k.createdAt, k.id);
    }
    const pageSql = where.length > 0 ? `where ${where.join(" and ")}` : "";
    const rows = await ctx.em.execute<AccountRow[]>(
      `select a.id, a.name, a.email, a.role, a.created_at,
         (select balance from ledger_accounts l where l.owner_id = a.id and l.kind = ?) as available,
         (select balance from ledger_accounts l where l.owner_id = a.id and l.kind = ?) as held,
         (select balance from ledger_accounts l where l.owner_id = a.id and l.kind = ?) as earnings,
         (select balance from ledger_accounts l where l.owner_id = a.id and l.kind = ?) as pending
       from accounts a ${pageSql}
       order by a.created_at desc, a.id desc limit ?`,
      [
        LedgerAccountKind.CLIENT_AVAILABLE,
        LedgerAccountKind.CLIENT_HELD,
        LedgerAccountKind.PROVIDER_EARNINGS,
        LedgerAccountKind.PROVIDER_PENDING,
        ...params,
        n + 1,
      ],
    );
    const [count] = await ctx.em.execute<{ n: string }[]>(
      `select count(*) as n from accounts a ${filterSql}`,
      filterParams,
    );
    const keyed = rows.map((r) => ({ ...r, createdAt: new Date(r.created_at) }));
    return toConnection(keyed, n, Number(count?.n ?? 0), Boolean(page.after), (r) => ({
      id: r.id,
      name: r.name,
      email: r.email ?? undefined,
      role: r.role,
      createdAt: r.createdAt,
      balance: {
        available: BigInt(r.available ?? 0),
        held: BigInt(r.held ?? 0),
        earnings: BigInt(r.earnings ?? 0),
        pending: BigInt(r.pending ?? 0),
      },
    }));
  }
}
