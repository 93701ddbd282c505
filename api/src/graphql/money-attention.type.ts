import { Field, ID, ObjectType } from "type-graphql";
import { TokenAmountScalar } from "./scalars.js";

@ObjectType("MoneyAttentionItem", {
  description:
    "A payout, withdrawal or deposit that failed or has been stuck too long: an admin should look.",
})
export class MoneyAttentionItemType {
  @Field(() => String, { description: "payout, withdrawal or deposit." })
  kind!: string;

  @Field(() => ID, { description: "The payout's, withdrawal's or deposit request's id." })
  id!: string;

  @Field(() => ID)
  accountId!: string;

  @Field(() => String)
  accountName!: string;

  @Field(() => TokenAmountScalar)
  amount!: bigint;

  @Field(() => String, { description: "Its status now: FAILED, PENDING or SEEN." })
  status!: string;

  @Field(() => String, { description: "FAILED, or STUCK when it has been PENDING (or SEEN) too long." })
  reason!: string;

  @Field(() => String, { nullable: true, description: "The last transaction signature, when one was sent." })
  signature?: string | undefined;

  @Field(() => String, { nullable: true, description: "Why it failed, as the chain or the sender said." })
  error?: string | undefined;

  @Field(() => Date)
  createdAt!: Date;
}
