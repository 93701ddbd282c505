import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, ObjectType } from "type-graphql";
import { TokenAmountScalar } from "./scalars.js";

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

  @Field(() => TokenAmountScalar)
  pricePerCall!: bigint;
}
