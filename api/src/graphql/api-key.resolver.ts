import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { ApiKey } from "../db/entities/index.js";
import { badInput, notFound } from "../errors.js";
import { issueApiKey } from "../identity/api-keys.js";
import { grantableScopes } from "../identity/scopes.js";
import { CreateApiKeyInput } from "./api-key.input.js";
import { ApiKeyConnection, ApiKeyType, CreatedApiKey, toApiKeyType } from "./api-key.type.js";
import { requireCaller } from "./caller.js";
import { afterFilter, type ConnectionShape, PageArgs, pageSize, toConnection } from "./connection.js";
import type { ApiContext } from "./context.js";
import { isUuid } from "./ids.js";

@Resolver()
export class ApiKeyResolver {
  @Authorized("scope:keys:manage")
  @Query(() => ApiKeyConnection, { description: "Your API keys (an admin sees every key)." })
  async apiKeys(
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: ApiContext,
  ): Promise<ConnectionShape<ApiKeyType>> {
    const { account } = requireCaller(ctx);
    const n = pageSize(page.first);
    const owner = account.role === "admin" ? {} : { account: account.id };
    const rows = await ctx.em.find(
      ApiKey,
      { ...owner, ...afterFilter(page.after) },
      { orderBy: { createdAt: "desc", id: "desc" }, limit: n + 1 },
    );
    const total = await ctx.em.count(ApiKey, owner);
    return toConnection(rows, n, total, Boolean(page.after), toApiKeyType);
  }

  @Authorized("scope:keys:manage")
  @Mutation(() => CreatedApiKey, { description: "Creates an API key; the key is in the answer, once." })
  async createApiKey(
    @Arg("input", () => CreateApiKeyInput, { nullable: true }) input: CreateApiKeyInput | undefined,
    @Ctx() ctx: ApiContext,
  ): Promise<CreatedApiKey> {
    const caller = requireCaller(ctx);
    const scopes = grantableScopes(caller.account.role, input?.scopes);
    if (typeof scopes === "string") throw badInput(scopes);
    const narrower = caller.via === "api-key" ? scopes.filter((s) => !caller.scopes.includes(s)) : [];
    if (narrower.length > 0) throw badInput(`a key cannot grant scopes it lacks: ${narrower.join(", ")}`);
    const label = (input?.label ?? "").slice(0, 100);
    const issued = issueApiKey(ctx.em, caller.account, label, scopes);
    await ctx.em.flush();
    return { key: issued.key, apiKey: toApiKeyType(issued.record) };
  }

  @Authorized("scope:keys:manage")
  @Mutation(() => ApiKeyType, { description: "Revokes one of your API keys at once." })
  async revokeApiKey(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext): Promise<ApiKeyType> {
    const { account } = requireCaller(ctx);
    const key = isUuid(id) ? await ctx.em.findOne(ApiKey, id) : null;
    if (!key || (account.role !== "admin" && key.account.id !== account.id)) throw notFound(`API key ${id}`);
    key.revokedAt ??= new Date();
    await ctx.em.flush();
    return toApiKeyType(key);
  }
}
