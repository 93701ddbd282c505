import { Field, ID, Int, ObjectType } from "type-graphql";
import { Connection } from "./connection.js";
import { TokenAmountScalar } from "./scalars.js";

@ObjectType("WalletChallenge", { description: "A message for your wallet to sign (Sign-In With Solana)." })
export class WalletChallengeType {
  @Field(() => String, { description: "Sign these exact UTF-8 bytes with the wallet's key." })
  message!: string;

  @Field(() => String)
  nonce!: string;

  @Field(() => Date)
  expiresAt!: Date;
}

@ObjectType("Wallet")
export class WalletType {
  @Field(() => String, { description: "Base58 Solana address." })
  address!: string;

  @Field(() => String, { nullable: true, description: "Its NEURO token account, once created." })
  tokenAccount?: string | undefined;

  @Field(() => Date)
  linkedAt!: Date;
}

@ObjectType("Payout")
export class PayoutType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  providerId!: string;

  @Field(() => String, {
    description: "PENDING, CONFIRMED or FAILED (FAILED returned the amount to earnings).",
  })
  status!: string;

  @Field(() => TokenAmountScalar)
  amount!: bigint;

  @Field(() => String)
  wallet!: string;

  @Field(() => String, { nullable: true, description: "The confirmed transaction's signature." })
  signature?: string | undefined;

  @Field(() => String, { nullable: true })
  error?: string | undefined;

  @Field(() => ID, { nullable: true })
  batchId?: string | undefined;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  settledAt?: Date | undefined;
}

export const PayoutConnection = Connection("Payout", PayoutType);

@ObjectType("PayoutStatusEvent")
export class PayoutStatusEventType {
  @Field(() => ID)
  payoutId!: string;

  @Field(() => String)
  status!: string;

  @Field(() => TokenAmountScalar)
  amount!: bigint;

  @Field(() => String, { nullable: true })
  signature?: string | undefined;

  @Field(() => Date)
  at!: Date;
}

@ObjectType("PayoutRun")
export class PayoutRunType {
  @Field(() => Boolean, { description: "False when another run was in progress." })
  ran!: boolean;

  @Field(() => Int)
  created!: number;

  @Field(() => Int)
  confirmed!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int)
  pending!: number;
}
