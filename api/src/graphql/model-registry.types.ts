import { GraphQLJSON } from "graphql-scalars";
import { Field, InputType, Int, ObjectType } from "type-graphql";
import { ModelType } from "./model.type.js";

@InputType("RegisterModelInput")
export class RegisterModelInput {
  @Field(() => GraphQLJSON, {
    description:
      "The model's manifest: name, version, description, inputs, outputs, pricePerCall, pricing, batching, resources, and optionally sha256 (checked against the artifact).",
  })
  manifest!: unknown;

  @Field(() => String, { description: "The ONNX file, base64." })
  artifactBase64!: string;
}

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
