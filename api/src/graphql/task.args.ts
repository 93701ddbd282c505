import { ArgsType, Field } from "type-graphql";
import { PageArgs } from "./connection.js";
import { TaskFilter } from "./task.input.js";

@ArgsType()
export class TasksArgs extends PageArgs {
  @Field(() => TaskFilter, { nullable: true })
  filter?: TaskFilter;
}
