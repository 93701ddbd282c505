import { ArgsType, Field } from "type-graphql";
import { PageArgs } from "./connection.js";
import { NodeFilter } from "./node.input.js";

@ArgsType()
export class NodesArgs extends PageArgs {
  @Field(() => NodeFilter, { nullable: true })
  filter?: NodeFilter;
}
