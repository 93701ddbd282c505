import { Field, ID, ObjectType } from "type-graphql";
import { BalanceType } from "./account.type.js";
import { Connection } from "./connection.js";

@ObjectType("AccountSummary", { description: "An account as an admin lists it, with its balances." })
export class AccountSummaryType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  email?: string | undefined;

  @Field(() => String, { description: "client, provider or admin." })
  role!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => BalanceType)
  balance!: BalanceType;
}

export const AccountSummaryConnection = Connection("AccountSummary", AccountSummaryType);
