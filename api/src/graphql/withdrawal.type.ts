import { Field, ID, ObjectType } from "type-graphql";
import { TokenAmountScalar } from "./scalars.js";

@ObjectType("Withdrawal", { description: "NEURO sent from your balance to your linked wallet." })
export class WithdrawalType {
  @Field(() => ID)
  id!: string;

  @Field(() => TokenAmountScalar)
  amount!: bigint;

  @Field(() => String)
  wallet!: string;

  @Field(() => String, {
    description: "PENDING, CONFIRMED or FAILED (FAILED returned the amount to your balance).",
  })
  status!: string;

  @Field(() => String, { nullable: true, description: "The confirmed transaction's signature." })
  signature?: string | undefined;

  @Field(() => String, { nullable: true })
  error?: string | undefined;

  @Field(() => Date)
  createdAt!: Date;
}
