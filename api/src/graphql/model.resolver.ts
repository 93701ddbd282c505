import type { Pricing } from "@neurogrid/schema";
import { Ctx, Query, Resolver } from "type-graphql";
import { Model } from "../db/entities/index.js";
import { escrowOf, pricingOf } from "../pricing/pricing.js";
import type { ApiContext } from "./context.js";
import { type ModelPricingType, ModelType } from "./model.type.js";

@Resolver(() => ModelType)
export class ModelResolver {
  @Query(() => [ModelType], { description: "Models you can submit tasks to, with their schema and price." })
  async models(@Ctx() ctx: ApiContext): Promise<ModelType[]> {
    const models = await ctx.em.find(Model, {}, { orderBy: { name: "asc", version: "asc" } });
    return models.map((m) => ({
      id: m.id,
      name: m.name,
      version: m.version,
      description: m.manifest.description,
      inputs: m.manifest.inputs,
      outputs: m.manifest.outputs,
      pricePerCall: m.pricePerCall,
      pricing: toPricingType(pricingOf(m.manifest)),
    }));
  }
}

function toPricingType(p: Pricing): ModelPricingType {
  return { unit: p.unit, price: BigInt(p.price), maxUnits: p.maxUnits, escrow: escrowOf(p) };
}
