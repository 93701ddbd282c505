import { Field, ObjectType } from "type-graphql";
import { TokenAmountScalar } from "./scalars.js";

@ObjectType("Stake", { description: "Your stake, and what is cooling off on its way back to your earnings." })
export class StakeType {
  @Field(() => TokenAmountScalar)
  staked!: bigint;

  @Field(() => TokenAmountScalar)
  cooling!: bigint;

  @Field(() => Date, {
    nullable: true,
    description: "When the earliest cooling unstake returns to earnings.",
  })
  nextReleaseAt?: Date | undefined;
}
