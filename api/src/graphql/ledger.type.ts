import { Field, ID, Int, ObjectType } from "type-graphql";
import { Connection } from "./connection.js";
import { TokenAmountScalar } from "./scalars.js";

@ObjectType("LedgerEntry", { description: "One leg of a balanced ledger movement." })
export class LedgerEntryType {
  @Field(() => ID)
  id!: string;

  @Field(() => TokenAmountScalar, { description: "Signed: positive credits the account." })
  amount!: bigint;

  @Field(() => String, {
    description:
      "client_available, client_held, provider_pending, provider_earnings, platform_fees, external.",
  })
  accountKind!: string;

  @Field(() => ID, { nullable: true })
  ownerId?: string | undefined;

  @Field(() => String, { description: "deposit, hold, capture, refund." })
  movement!: string;

  @Field(() => ID)
  movementId!: string;

  @Field(() => ID, { nullable: true })
  taskId?: string | undefined;

  @Field(() => String)
  memo!: string;

  @Field(() => Date)
  createdAt!: Date;
}

export const LedgerEntryConnection = Connection("LedgerEntry", LedgerEntryType);

@ObjectType("LedgerAccountTotal", { description: "The sum of every ledger account of one kind." })
export class LedgerAccountTotalType {
  @Field(() => String)
  kind!: string;

  @Field(() => Int, { description: "How many accounts of this kind." })
  accounts!: number;

  @Field(() => TokenAmountScalar)
  balance!: bigint;
}

@ObjectType("PlatformLedger", {
  description: "Admin view: every kind of account, and whether the ledger checks out.",
})
export class PlatformLedgerType {
  @Field(() => [LedgerAccountTotalType])
  totals!: LedgerAccountTotalType[];

  @Field(() => Boolean, { description: "All entries sum to zero and every balance equals its entries." })
  balanced!: boolean;
}
