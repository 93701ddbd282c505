import { Field, InputType } from "type-graphql";

@InputType("CreateApiKeyInput")
export class CreateApiKeyInput {
  @Field(() => String, { nullable: true, defaultValue: "" })
  label?: string;

  @Field(() => [String], {
    nullable: true,
    description:
      "Subset of your role's scopes (tasks:read, tasks:write, ledger:read, keys:manage, nodes:read, nodes:write); all when omitted.",
  })
  scopes?: string[];
}
