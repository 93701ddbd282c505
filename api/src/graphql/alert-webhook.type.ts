import { Field, ID, Int, ObjectType } from "type-graphql";

@ObjectType("AlertWebhook", {
  description: "A URL each GPU alert change is POSTed to (JSON, signed with HMAC-SHA256).",
})
export class AlertWebhookType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  url!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => ID, { nullable: true })
  createdBy?: string | undefined;
}

@ObjectType("AlertWebhookCreated", { description: "A new webhook and its signing secret, shown this once." })
export class AlertWebhookCreatedType {
  @Field(() => AlertWebhookType)
  webhook!: AlertWebhookType;

  @Field(() => String, {
    description:
      "Key of the x-neurogrid-signature header: sha256=HMAC-SHA256(secret, `<x-neurogrid-timestamp>.<body>`) in hex.",
  })
  secret!: string;
}

@ObjectType("AlertWebhookDelivery", { description: "One attempt to deliver an alert change to a webhook." })
export class AlertWebhookDeliveryType {
  @Field(() => ID)
  webhookId!: string;

  @Field(() => ID, { description: "The same on every attempt of one event to one webhook." })
  deliveryId!: string;

  @Field(() => String, { description: "gpu_alert.opened, gpu_alert.escalated or gpu_alert.resolved." })
  event!: string;

  @Field(() => ID, { nullable: true })
  alertId?: string | undefined;

  @Field(() => Int, { description: "1 for the first attempt." })
  attempt!: number;

  @Field(() => Boolean, { description: "The receiver answered 2xx." })
  ok!: boolean;

  @Field(() => Int, { nullable: true, description: "The receiver's HTTP status; null when none came." })
  statusCode?: number | undefined;

  @Field(() => String, { nullable: true })
  error?: string | undefined;

  @Field(() => Int)
  durationMs!: number;

  @Field(() => Date)
  at!: Date;
}
