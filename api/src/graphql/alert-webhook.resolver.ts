import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { newWebhookSecret } from "../alerts/webhook-signature.js";
import {
  activeWebhooks,
  addWebhook,
  type DeliveryRow,
  listDeliveries,
  removeWebhook,
  type WebhookRow,
} from "../alerts/webhook-store.js";
import { badInput } from "../errors.js";
import { AddAlertWebhookInput } from "./alert-webhook.input.js";
import { AlertWebhookCreatedType, AlertWebhookDeliveryType, AlertWebhookType } from "./alert-webhook.type.js";
import { requireCaller } from "./caller.js";
import type { ApiContext } from "./context.js";
import { isUuid } from "./ids.js";

const MAX_URL_CHARS = 2048;
const DEFAULT_DELIVERIES = 100;

@Resolver()
export class AlertWebhookResolver {
  @Authorized("admin")
  @Query(() => [AlertWebhookType], { description: "Admin: the webhooks GPU alert changes are sent to." })
  async alertWebhooks(@Ctx() ctx: ApiContext): Promise<AlertWebhookType[]> {
    return (await activeWebhooks(ctx.em)).map(toType);
  }

  @Authorized("admin")
  @Query(() => [AlertWebhookDeliveryType], {
    description: "Admin: the latest delivery attempts, newest first; of one webhook when given.",
  })
  async alertWebhookDeliveries(
    @Arg("webhookId", () => ID, { nullable: true }) webhookId: string | undefined,
    @Arg("limit", () => Int, { defaultValue: DEFAULT_DELIVERIES }) limit: number,
    @Ctx() ctx: ApiContext,
  ): Promise<AlertWebhookDeliveryType[]> {
    if (webhookId !== undefined && webhookId !== null && !isUuid(webhookId)) return [];
    return (await listDeliveries(ctx.em, webhookId ?? undefined, limit)).map(toDelivery);
  }

  @Authorized("admin")
  @Mutation(() => AlertWebhookCreatedType, {
    description: "Admin: sends each GPU alert change to this URL; the signing secret is shown once.",
  })
  async addAlertWebhook(
    @Arg("input", () => AddAlertWebhookInput) input: AddAlertWebhookInput,
    @Ctx() ctx: ApiContext,
  ): Promise<AlertWebhookCreatedType> {
    const { account } = requireCaller(ctx);
    const secret = newWebhookSecret();
    const row = await addWebhook(ctx.em, { url: checkedUrl(input.url), secret, by: account.id });
    return { webhook: toType(row), secret };
  }

  @Authorized("admin")
  @Mutation(() => Boolean, { description: "Admin: stops sending to a webhook; false when there was none." })
  async removeAlertWebhook(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext): Promise<boolean> {
    return isUuid(id) ? removeWebhook(ctx.em, id) : false;
  }
}

function checkedUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput("url is not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw badInput("url must be http:// or https://");
  if (url.username || url.password) throw badInput("url must not carry credentials");
  if (text.length > MAX_URL_CHARS) throw badInput(`url is longer than ${MAX_URL_CHARS} characters`);
  return url.toString();
}

function toType(r: WebhookRow): AlertWebhookType {
  return { id: r.id, url: r.url, createdAt: new Date(r.created_at), createdBy: r.created_by ?? undefined };
}

function toDelivery(r: DeliveryRow): AlertWebhookDeliveryType {
  return {
    webhookId: r.webhook_id,
    deliveryId: r.delivery_id,
    event: r.event,
    alertId: r.alert_id ?? undefined,
    attempt: r.attempt,
    ok: r.ok,
    statusCode: r.status_code ?? undefined,
    error: r.error ?? undefined,
    durationMs: r.duration_ms,
    at: new Date(r.at),
  };
}
