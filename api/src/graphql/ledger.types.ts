import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { Connection } from "./connection.js";
import { TokenAmountScalar } from "./scalars.js";

@ObjectType("LedgerEntry", { description: "One leg of a balanced ledger movement." })
export class LedgerEntryType {
  @Field(() => ID)
  id!: string;

  @Field(() => TokenAmountScalar, { description: "Signed: positive credits the account." })
  amount!: bigint;

  @Field(() => String, {
    description: "client_available, client_held, provider_earnings, platform_fees, external.",
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

@InputType("DepositInput")
export class DepositInput {
  @Field(() => ID)
  accountId!: string;

  @Field(() => TokenAmountScalar)
  amount!: bigint;

  @Field(() => String, { nullable: true, defaultValue: "" })
  memo?: string;
}

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
