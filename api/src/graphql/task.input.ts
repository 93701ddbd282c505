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

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      "Have the result checked: it is re-run on another provider's node and compared (a dispute is refereed by a third). " +
      "The escrow is twice the model's, and a checked task is charged its cost twice (the check's run); a check that cannot " +
      "run (no other provider serves the model) costs nothing extra. A node found wrong forfeits the task: its cost comes back, " +
      "and the result is the referee's.",
  })
  verify?: boolean;
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
