import { Args, Ctx, Query, Resolver } from "type-graphql";
import { Model } from "../db/entities/index.js";
import { afterFilter, type ConnectionShape, pageSize, toConnection } from "./connection.js";
import type { ApiContext } from "./context.js";
import { ModelsArgs } from "./model.args.js";
import { ModelConnection, ModelType, toModelType } from "./model.type.js";

@Resolver(() => ModelType)
export class ModelResolver {
  @Query(() => ModelConnection, {
    description: "Models you can submit tasks to, with their schema and price; newest version first.",
  })
  async models(
    @Args(() => ModelsArgs) args: ModelsArgs,
    @Ctx() ctx: ApiContext,
  ): Promise<ConnectionShape<ModelType>> {
    const n = pageSize(args.first);
    const where: Record<string, unknown> = {};
    if (args.filter?.name !== undefined) where.name = args.filter.name;
    if (args.filter?.registered !== undefined) where.sha256 = args.filter.registered ? { $ne: null } : null;
    const rows = await ctx.em.find(
      Model,
      { ...where, ...afterFilter(args.after) },
      { orderBy: { createdAt: "desc", id: "desc" }, limit: n + 1 },
    );
    const total = await ctx.em.count(Model, where);
    return toConnection(rows, n, total, Boolean(args.after), toModelType);
  }
}
