import { TaskStatus } from "@neurogrid/schema";
import { ArgsType, Field, ID, InputType } from "type-graphql";
import { PageArgs } from "./connection.js";

@InputType("TaskFilter")
export class TaskFilter {
  @Field(() => [TaskStatus], { nullable: true })
  status?: TaskStatus[];

  @Field(() => String, { nullable: true, description: "Model name." })
  model?: string;

  @Field(() => ID, { nullable: true, description: "Admin only: one account's tasks." })
  accountId?: string;
}

@ArgsType()
export class TasksArgs extends PageArgs {
  @Field(() => TaskFilter, { nullable: true })
  filter?: TaskFilter;
}
