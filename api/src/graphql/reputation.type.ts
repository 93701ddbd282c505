import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";

const ReputationVerdict = { AGREED: "agreed", FAULT: "fault" } as const;
registerEnumType(ReputationVerdict, {
  name: "ReputationVerdict",
  description: "AGREED: on the majority side of a check, or a known answer right. FAULT: found wrong.",
});

const ReputationSource = { CHECK: "check", CANARY: "canary", ONBOARDING: "onboarding" } as const;
registerEnumType(ReputationSource, {
  name: "ReputationSource",
  description:
    "What reached a verdict: a spot check of a task (or its dispute), a canary, or an onboarding's known-answer tasks.",
});

@ObjectType("ReputationEvent", { description: "One verdict about a node, and the score it left." })
export class ReputationEventType {
  @Field(() => Date)
  at!: Date;

  @Field(() => ID)
  nodeId!: string;

  @Field(() => ReputationVerdict)
  verdict!: (typeof ReputationVerdict)[keyof typeof ReputationVerdict];

  @Field(() => ReputationSource)
  source!: (typeof ReputationSource)[keyof typeof ReputationSource];

  @Field(() => ID, { nullable: true, description: "The task checked (spot checks only)." })
  taskId?: string | undefined;

  @Field(() => Float, { description: "The score after this verdict." })
  score!: number;
}

@ObjectType("Reputation", {
  description:
    "A score in (0, 1] from result verification's verdicts and known-answer checks (canaries, onboarding): 0.5 new, x1.01 per agreement or right known answer (at most 1), x0.8 per fault. Lower scores are spot-checked more often.",
})
export class ReputationType {
  @Field(() => Float)
  score!: number;

  @Field(() => Int, {
    description:
      "Checks its results agreed in (or it was on the majority side of), and known answers it gave right.",
  })
  agreed!: number;

  @Field(() => Int, {
    description:
      "Checks its result disagreed with the other two in, and known-answer tasks it answered wrong.",
  })
  faults!: number;

  @Field(() => [ReputationEventType], {
    description: "The newest verdicts (50 at most), newest first: how the score got where it is.",
  })
  history!: ReputationEventType[];
}
