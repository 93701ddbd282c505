import { VerificationStatus } from "@neurogrid/schema";
import { Field, ObjectType, registerEnumType } from "type-graphql";

registerEnumType(VerificationStatus, {
  name: "VerificationStatus",
  description:
    "Where a task's result stands with verification (a re-run on another provider's node): UNCHECKED, SAMPLED (the check is under way), VERIFIED, DISPUTED (a referee run decides), RESOLVED.",
});

@ObjectType("TaskVerification", { description: "A task's result verification." })
export class TaskVerificationType {
  @Field(() => VerificationStatus)
  status!: VerificationStatus;

  @Field(() => String, { nullable: true, description: "The node whose run checked the result." })
  checkedBy?: string | undefined;

  @Field(() => String, { nullable: true, description: "The node whose run settled a dispute." })
  referee?: string | undefined;

  @Field(() => String, {
    nullable: true,
    description: "What the check found: agreement, or which result disagreed and where.",
  })
  verdict?: string | undefined;
}
