import { ArgsType, Field } from "type-graphql";
import { PageArgs } from "./connection.js";
import { ModelFilter } from "./model.input.js";

@ArgsType()
export class ModelsArgs extends PageArgs {
  @Field(() => ModelFilter, { nullable: true })
  filter?: ModelFilter;
}
