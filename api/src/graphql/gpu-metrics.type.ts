import { Field, Float, ID, Int, ObjectType } from "type-graphql";

@ObjectType("GpuMetricPoint", { description: "One GPU's metrics averaged over one step." })
export class GpuMetricPointType {
  @Field(() => Date, { description: "Start of the step." })
  at!: Date;

  @Field(() => Float, { nullable: true })
  temperatureC!: number | null;

  @Field(() => Float, { nullable: true })
  utilizationPct!: number | null;

  @Field(() => Float, { nullable: true })
  memoryUsedMb!: number | null;

  @Field(() => Float, { nullable: true })
  memoryTotalMb!: number | null;

  @Field(() => Float, { nullable: true })
  powerDrawW!: number | null;

  @Field(() => Float, { nullable: true })
  powerLimitW!: number | null;
}

@ObjectType("GpuSample", { description: "One GPU as its worker sampled it." })
export class GpuSampleType {
  @Field(() => Int)
  index!: number;

  @Field(() => String)
  uuid!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Float, { nullable: true })
  temperatureC?: number;

  @Field(() => Float, { nullable: true })
  utilizationPct?: number;

  @Field(() => Float, { nullable: true })
  memoryUsedMb?: number;

  @Field(() => Float, { nullable: true })
  memoryTotalMb?: number;

  @Field(() => Float, { nullable: true })
  powerDrawW?: number;

  @Field(() => Float, { nullable: true })
  powerLimitW?: number;
}

@ObjectType("GpuTelemetryEvent", { description: "A node's GPUs, as one heartbeat brought them." })
export class GpuTelemetryEventType {
  @Field(() => ID)
  nodeId!: string;

  @Field(() => Date, { description: "When the worker sampled them." })
  at!: Date;

  @Field(() => String, { description: 'ok, or "unavailable: <reason>".' })
  status!: string;

  @Field(() => [GpuSampleType])
  gpus!: GpuSampleType[];
}
