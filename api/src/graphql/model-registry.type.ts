import { Field, Int, ObjectType } from "type-graphql";
import { ModelType } from "./model.type.js";

@ObjectType("RegisteredModel")
export class RegisteredModelType {
  @Field(() => ModelType)
  model!: ModelType;

  @Field(() => String, { description: "sha256 of the artifact (hex): its key in the registry." })
  sha256!: string;

  @Field(() => Int)
  sizeBytes!: number;

  @Field(() => Boolean, { description: "false when this exact name@version and artifact already existed." })
  created!: boolean;
}
