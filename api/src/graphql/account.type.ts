import type { EntityManager } from "@mikro-orm/postgresql";
import { Field, ID, ObjectType } from "type-graphql";
import type { Account } from "../db/entities/index.js";
import { balancesOf } from "../ledger/accounts.js";
import { TokenAmountScalar } from "./scalars.js";

@ObjectType("Balance", { description: "An account's money, in NEURO's smallest unit." })
export class BalanceType {
  @Field(() => TokenAmountScalar, { description: "Spendable." })
  available!: bigint;

  @Field(() => TokenAmountScalar, { description: "Held in escrow for unfinished tasks." })
  held!: bigint;

  @Field(() => TokenAmountScalar, { description: "A provider's earnings not yet paid out." })
  earnings!: bigint;

  @Field(() => TokenAmountScalar, {
    description:
      "A provider's share of its tasks held until each is verified or its verification window passes; then it moves to earnings. Not payable.",
  })
  pending!: bigint;
}

@ObjectType("Account")
export class AccountType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  email?: string | undefined;

  @Field(() => String, { description: "client, provider or admin." })
  role!: string;

  @Field(() => BalanceType)
  balance!: BalanceType;
}

export async function toAccountType(em: EntityManager, account: Account): Promise<AccountType> {
  return {
    id: account.id,
    name: account.name,
    email: account.email ?? undefined,
    role: account.role,
    balance: await balancesOf(em, account.id),
  };
}
