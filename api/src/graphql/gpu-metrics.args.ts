import { ArgsType, Field, ID, Int } from "type-graphql";

@ArgsType()
export class GpuMetricsArgs {
  @Field(() => ID)
  nodeId!: string;

  @Field(() => Int, { description: "The GPU's index on its node." })
  gpu!: number;

  @Field(() => Date)
  from!: Date;

  @Field(() => Date, { nullable: true, description: "Now when omitted." })
  to?: Date;

  @Field(() => Int, {
    defaultValue: 1,
    description:
      "Seconds per point (1 to 86400). 1 s samples are kept an hour; a step of 60 or more, or a range older than an hour, reads the per-minute averages (kept 30 days).",
  })
  step!: number;
}
