import { Field, ID, Int, ObjectType } from "type-graphql";
import { TokenAmountScalar } from "./scalars.js";

@ObjectType("DepositRequest", {
  description: "A Solana Pay transfer request: pay it from any wallet holding NEURO, before it expires.",
})
export class DepositRequestType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, {
    description: "solana:<treasury>?amount=…&spl-token=<NEURO mint>&reference=…&label=…&memo=…",
  })
  url!: string;

  @Field(() => String, { description: "The reference key the payment is found by (base58)." })
  reference!: string;

  @Field(() => TokenAmountScalar)
  amount!: bigint;

  @Field(() => String, { description: "The memo the payment must carry." })
  memo!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => String, { description: "The URL as a QR code (PNG data URL) for a wallet app to scan." })
  qrCode!: string;

  @Field(() => String, { description: "PENDING, SEEN (paid, confirmed), CREDITED (finalized) or EXPIRED." })
  status!: string;
}

@ObjectType("DepositStatusEvent")
export class DepositStatusEventType {
  @Field(() => ID)
  requestId!: string;

  @Field(() => String)
  reference!: string;

  @Field(() => String, { description: "PENDING, SEEN, CREDITED or EXPIRED." })
  status!: string;

  @Field(() => TokenAmountScalar, { description: "Asked for; once CREDITED, what was credited." })
  amount!: bigint;

  @Field(() => String, { nullable: true, description: "The paying transaction's signature." })
  signature?: string | undefined;

  @Field(() => Date)
  at!: Date;
}

@ObjectType("ChainTransfer", { description: "A transaction the deposit watcher read." })
export class ChainTransferType {
  @Field(() => String)
  signature!: string;

  @Field(() => String, { description: "SEEN, CREDITED, UNMATCHED or OTHER." })
  status!: string;

  @Field(() => TokenAmountScalar, { description: "NEURO that reached the treasury in it." })
  amount!: bigint;

  @Field(() => String, { nullable: true, description: "The paying wallet." })
  sender?: string | undefined;

  @Field(() => String, {
    nullable: true,
    description:
      "Why it was not credited: UNDERPAID, WRONG_MINT, WRONG_DESTINATION, EXPIRED, UNKNOWN_SENDER…",
  })
  reason?: string | undefined;

  @Field(() => ID, { nullable: true })
  requestId?: string | undefined;

  @Field(() => Date)
  seenAt!: Date;
}

@ObjectType("DepositWatchRun")
export class DepositWatchRunType {
  @Field(() => Boolean, { description: "false when another run was in progress." })
  ran!: boolean;

  @Field(() => Int)
  seen!: number;

  @Field(() => Int)
  credited!: number;

  @Field(() => Int)
  unmatched!: number;

  @Field(() => Int)
  expired!: number;
}
