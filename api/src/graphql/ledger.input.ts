import { Field, ID, InputType } from "type-graphql";
import { TokenAmountScalar } from "./scalars.js";

@InputType("DepositInput")
export class DepositInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => TokenAmountScalar)
  amount!: bigint;

  @Field(() => String, { nullable: true, defaultValue: "" })
  memo?: string;
}

@InputType("LedgerEntryFilter")
export class LedgerEntryFilter {
  @Field(() => [String], {
    nullable: true,
    description: "Movements: deposit, hold, capture, refund, payout, ...",
  })
  movement?: string[];

  @Field(() => [String], {
    nullable: true,
    description: "Account kinds, e.g. client_available, provider_earnings.",
  })
  accountKind?: string[];

  @Field(() => ID, { nullable: true, description: "The entries of one task's movements." })
  taskId?: string;
}
