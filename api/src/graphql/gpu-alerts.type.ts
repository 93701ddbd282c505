import { Field, Float, ID, Int, ObjectType } from "type-graphql";

@ObjectType("GpuAlert", { description: "A GPU metric over its threshold, from start to resolution." })
export class GpuAlertType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  nodeId!: string;

  @Field(() => Int)
  gpuIndex!: number;

  @Field(() => String)
  gpuUuid!: string;

  @Field(() => String, { description: "temperature (°C), memory (% used) or power (% of the limit)." })
  metric!: string;

  @Field(() => String, { description: "warning or critical (an alert keeps its highest level)." })
  level!: string;

  @Field(() => Float)
  value!: number;

  @Field(() => Float)
  threshold!: number;

  @Field(() => Date)
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  resolvedAt?: Date | undefined;

  @Field(() => Date, { nullable: true, description: "When someone acknowledged it (the first time)." })
  acknowledgedAt?: Date | undefined;

  @Field(() => ID, { nullable: true, description: "The account that acknowledged it." })
  acknowledgedBy?: string | undefined;
}

@ObjectType("GpuAlertEvent")
export class GpuAlertEventType {
  @Field(() => String, { description: "opened, escalated or resolved." })
  change!: string;

  @Field(() => GpuAlertType)
  alert!: GpuAlertType;
}
