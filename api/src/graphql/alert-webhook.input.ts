import { Field, InputType } from "type-graphql";

@InputType("AddAlertWebhookInput")
export class AddAlertWebhookInput {
  @Field(() => String, { description: "http:// or https:// URL, at most 2048 characters." })
  url!: string;
}
