import { comparisonOf } from "@neurogrid/cluster/models";
import { type ModelManifest, taskKindOf } from "@neurogrid/schema";
import { Field, Float, ObjectType } from "type-graphql";
import { isVerifiableKind } from "../verification/verifier.js";

@ObjectType("ModelVerification", {
  description:
    "How result verification checks this model's tasks (re-run on another provider's node, compared).",
})
export class ModelVerificationType {
  @Field(() => Boolean, {
    description:
      "Whether its tasks are drawn for checks at all (an OCR task, composed of other deployments, is not).",
  })
  checked!: boolean;

  @Field(() => String, {
    description:
      "How two results of one input are compared: exact, close, argmax, topk or text (the manifest's rule), or segments (a speech task's, edges within one frame).",
  })
  rule!: string;

  @Field(() => Float, {
    nullable: true,
    description:
      "The share of its tasks checked for a provider of reputation 1, when the model sets its own; null: the network's default.",
  })
  sampleRate?: number | undefined;
}

export function verificationOfModel(manifest: ModelManifest): ModelVerificationType {
  const kind = taskKindOf(manifest);
  return {
    checked: isVerifiableKind(kind),
    rule: kind === "vad" ? "segments" : comparisonOf(manifest).rule,
    sampleRate: manifest.verification?.sampleRate,
  };
}
