import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, ObjectType } from "type-graphql";

@ObjectType("FaultEvidence", { description: "The three runs of a disputed task, as each node returned it." })
export class FaultEvidenceType {
  @Field(() => String, { nullable: true, description: "The node that ran the task." })
  taskNode?: string | undefined;

  @Field(() => GraphQLJSON, { nullable: true, description: "The task's result as its node returned it." })
  taskResult?: unknown;

  @Field(() => String, { nullable: true })
  checkedBy?: string | undefined;

  @Field(() => GraphQLJSON, { nullable: true })
  checkResult?: unknown;

  @Field(() => String, { nullable: true })
  referee?: string | undefined;

  @Field(() => GraphQLJSON, { nullable: true })
  refereeResult?: unknown;
}

@ObjectType("KnownAnswerEvidence", {
  description: "A known-answer task (canary or onboarding) the node answered wrong.",
})
export class KnownAnswerEvidenceType {
  @Field(() => String, { description: "name@version." })
  model!: string;

  @Field(() => GraphQLJSON, { description: "The input sent, as a task's." })
  input!: unknown;

  @Field(() => GraphQLJSON, { description: "The answer the platform computed from the model's reference." })
  expected!: unknown;

  @Field(() => GraphQLJSON, { description: "The node's answer." })
  got!: unknown;
}

@ObjectType("NodeFault", { description: "Something a node did that its provider is not paid for." })
export class NodeFaultType {
  @Field(() => ID, { nullable: true })
  taskId?: string | undefined;

  @Field(() => String, {
    description:
      "invalid_output (not the model's outputs), wrong_result (outvoted), canary or onboarding (a known-answer task answered wrong).",
  })
  kind!: string;

  @Field(() => String)
  detail!: string;

  @Field(() => Date)
  at!: Date;

  @Field(() => FaultEvidenceType, { nullable: true, description: "For a wrong result: the dispute's runs." })
  evidence?: FaultEvidenceType | undefined;

  @Field(() => KnownAnswerEvidenceType, {
    nullable: true,
    description: "For a canary or onboarding fault: the known answer and the node's.",
  })
  knownAnswer?: KnownAnswerEvidenceType | undefined;
}
