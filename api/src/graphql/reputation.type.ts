import { Field, Float, Int, ObjectType } from "type-graphql";

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
}
