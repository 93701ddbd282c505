import { Field, Float, ID, InputType, Int } from "type-graphql";

@InputType("AlertThresholdKey")
export class AlertThresholdKeyInput {
  @Field(() => ID)
  nodeId!: string;

  @Field(() => Int, { nullable: true, description: "One GPU; omitted: every GPU of the node." })
  gpuIndex?: number;

  @Field(() => String, { description: "temperature, memory or power." })
  metric!: string;
}

@InputType("SetAlertThresholdInput")
export class SetAlertThresholdInput extends AlertThresholdKeyInput {
  @Field(() => Float, { description: "Opens a warning alert at or above this." })
  warning!: number;

  @Field(() => Float, { description: "Escalates to critical at or above this (above warning)." })
  critical!: number;
}
