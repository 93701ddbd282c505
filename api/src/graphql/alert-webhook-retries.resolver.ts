import { Arg, Authorized, Ctx, Field, ID, Int, ObjectType, Query, Resolver } from "type-graphql";
import { waitingDeliveries } from "../alerts/webhook-outbox.js";
import type { ApiContext } from "./context.js";

const DEFAULT_LISTED = 100;
const MAX_LISTED = 1000;

@ObjectType("AlertWebhookRetry", {
  description: "A delivery not yet made: its next attempt, and when it is due (kept across api restarts).",
})
export class AlertWebhookRetryType {
  @Field(() => ID)
  deliveryId!: string;

  @Field(() => ID)
  webhookId!: string;

  @Field(() => String)
  event!: string;

  @Field(() => Int, { description: "The number the next attempt will have (1: not tried yet)." })
  nextAttempt!: number;

  @Field(() => Date)
  dueAt!: Date;
}

@Resolver()
export class AlertWebhookRetriesResolver {
  @Authorized("admin")
  @Query(() => [AlertWebhookRetryType], {
    description: "Admin: deliveries waiting for their first attempt or a retry, soonest first.",
  })
  async alertWebhookRetries(
    @Arg("limit", () => Int, { defaultValue: DEFAULT_LISTED }) limit: number,
    @Ctx() ctx: ApiContext,
  ): Promise<AlertWebhookRetryType[]> {
    const rows = await waitingDeliveries(ctx.em, Math.max(1, Math.min(MAX_LISTED, limit)));
    return rows.map((r) => ({
      deliveryId: r.delivery_id,
      webhookId: r.webhook_id,
      event: r.event,
      nextAttempt: r.attempt,
      dueAt: new Date(r.due_at),
    }));
  }
}
