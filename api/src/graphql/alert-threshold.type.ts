import { Field, Float, ID, Int, ObjectType } from "type-graphql";

@ObjectType("AlertThreshold", {
  description: "An admin's GPU alert thresholds for a node's GPUs or one GPU, over the defaults.",
})
export class AlertThresholdType {
  @Field(() => ID)
  nodeId!: string;

  @Field(() => Int, { nullable: true, description: "The GPU; null: every GPU of the node." })
  gpuIndex?: number | undefined;

  @Field(() => String, { description: "temperature (°C), memory (% used) or power (% of the limit)." })
  metric!: string;

  @Field(() => Float)
  warning!: number;

  @Field(() => Float)
  critical!: number;

  @Field(() => Date)
  updatedAt!: Date;

  @Field(() => ID, { nullable: true })
  updatedBy?: string | undefined;
}
