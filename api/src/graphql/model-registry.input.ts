import { GraphQLJSON } from "graphql-scalars";
import { Field, InputType } from "type-graphql";

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
