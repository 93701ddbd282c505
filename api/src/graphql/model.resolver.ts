import { Ctx, Query, Resolver } from "type-graphql";
import { Model } from "../db/entities/index.js";
import type { ApiContext } from "./context.js";
import { ModelType, toModelType } from "./model.type.js";

@Resolver(() => ModelType)
export class ModelResolver {
  @Query(() => [ModelType], { description: "Models you can submit tasks to, with their schema and price." })
  async models(@Ctx() ctx: ApiContext): Promise<ModelType[]> {
    const models = await ctx.em.find(Model, {}, { orderBy: { name: "asc", version: "asc" } });
    return models.map(toModelType);
  }
}
