import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import type { Model } from "../db/entities/index.js";
import { escrowOf, pricingOf } from "../pricing/pricing.js";
import { Connection } from "./connection.js";
import { TokenAmountScalar } from "./scalars.js";

@ObjectType("ModelPricing", { description: "How a model charges; escrow = price x maxUnits." })
export class ModelPricingType {
  @Field(() => String, { description: "call, output_token or compute_ms." })
  unit!: string;

  @Field(() => TokenAmountScalar, { description: "Per unit." })
  price!: bigint;

  @Field(() => Int)
  maxUnits!: number;

  @Field(() => TokenAmountScalar, { description: "Held in escrow when a task is submitted." })
  escrow!: bigint;
}

@ObjectType("Model")
export class ModelType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  version!: string;

  @Field(() => String)
  description!: string;

  @Field(() => GraphQLJSON, { description: "Declared input tensors: name, dtype, shape (-1 = dynamic)." })
  inputs!: unknown;

  @Field(() => GraphQLJSON)
  outputs!: unknown;

  @Field(() => TokenAmountScalar, { description: "Per call (the unit price when pricing is per call)." })
  pricePerCall!: bigint;

  @Field(() => ModelPricingType)
  pricing!: ModelPricingType;
}

export const ModelConnection = Connection("Model", ModelType);

export function toModelType(m: Model): ModelType {
  const p = pricingOf(m.manifest);
  return {
    id: m.id,
    name: m.name,
    version: m.version,
    description: m.manifest.description,
    inputs: m.manifest.inputs,
    outputs: m.manifest.outputs,
    pricePerCall: m.pricePerCall,
    pricing: { unit: p.unit, price: BigInt(p.price), maxUnits: p.maxUnits, escrow: escrowOf(p) },
  };
}
