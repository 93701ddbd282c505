import { Field, InputType } from "type-graphql";

@InputType("ModelFilter")
export class ModelFilter {
  @Field(() => String, { nullable: true, description: "Every version of this model name." })
  name?: string;

  @Field(() => Boolean, {
    nullable: true,
    description: "true: registered models only (with an artifact); false: builtin ones only.",
  })
  registered?: boolean;
}
