import { TaskStatus } from "@neurogrid/schema";
import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, InputType, Int } from "type-graphql";

@InputType("SubmitTaskInput")
export class SubmitTaskInput {
  @Field(() => String, { description: "Model name, e.g. mlp-classifier." })
  model!: string;

  @Field(() => String, { nullable: true, description: "Model version; the latest when omitted." })
  version?: string;

  @Field(() => GraphQLJSONObject, { description: "Input tensors by name, as nested arrays of numbers." })
  input!: Record<string, unknown>;

  @Field(() => String, {
    nullable: true,
    description: "Client-chosen key: the same key twice gives one task and one charge.",
  })
  idempotencyKey?: string;

  @Field(() => Int, { nullable: true, defaultValue: 0, description: "0..999, higher runs first." })
  priority?: number;
}

@InputType("TaskFilter")
export class TaskFilter {
  @Field(() => [TaskStatus], { nullable: true })
  status?: TaskStatus[];

  @Field(() => String, { nullable: true, description: "Model name." })
  model?: string;

  @Field(() => ID, { nullable: true, description: "Admin only: one account's tasks." })
  accountId?: string;
}
