import { Field, ObjectType, registerEnumType } from "type-graphql";

export enum OnboardingStatus {
  PASSED = "PASSED",
  FAILED = "FAILED",
  PENDING = "PENDING",
}

registerEnumType(OnboardingStatus, {
  name: "OnboardingStatus",
  description:
    "PASSED: the node answered the model's known-answer tasks right and serves it; FAILED: it answered one wrong and is kept out of the model's tasks; PENDING: this api process is onboarding it now.",
});

@ObjectType("NodeModelOnboarding", { description: "A node's onboarding for one model it serves." })
export class NodeModelOnboardingType {
  @Field(() => String, { description: "name@version." })
  model!: string;

  @Field(() => OnboardingStatus)
  status!: OnboardingStatus;

  @Field(() => Date, { nullable: true, description: "When it passed or failed; null while pending." })
  at?: Date | undefined;
}
