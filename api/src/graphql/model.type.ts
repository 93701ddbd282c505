import {
  GENERATE_INPUT_FIELDS,
  GENERATE_OUTPUT_FIELDS,
  type ModelManifest,
  OCR_INPUT_FIELDS,
  OCR_OUTPUT_FIELDS,
  type TaskField,
  type TensorSpec,
  taskKindOf,
  VAD_INPUT_FIELDS,
  VAD_OUTPUT_FIELDS,
} from "@neurogrid/schema";
import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import type { Model } from "../db/entities/index.js";
import { escrowOf, pricingOf } from "../pricing/pricing.js";
import { Connection } from "./connection.js";
import { ModelVerificationType, verificationOfModel } from "./model-verification.type.js";
import { TokenAmountScalar } from "./scalars.js";
import { kindEnumOf, TaskFieldType, TaskKindEnum } from "./task-result.type.js";

@ObjectType("ModelPricing", { description: "How a model charges; escrow = price x maxUnits." })
export class ModelPricingType {
  @Field(() => String, { description: "call, output_token or compute_ms." })
  unit!: string;

  @Field(() => TokenAmountScalar, { description: "Per unit." })
  price!: bigint;

  @Field(() => Int)
  maxUnits!: number;

  @Field(() => TokenAmountScalar, { description: "Held in escrow when a task is submitted." })
  escrow!: bigint;
}

@ObjectType("Model")
export class ModelType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  version!: string;

  @Field(() => String)
  description!: string;

  @Field(() => TaskKindEnum, { description: "What its tasks take and return (input, output)." })
  kind!: TaskKindEnum;

  @Field(() => [TaskFieldType], { description: "Exactly what submitTask's input takes for this model." })
  input!: TaskFieldType[];

  @Field(() => [TaskFieldType], { description: "Exactly what its finished task returns." })
  output!: TaskFieldType[];

  @Field(() => GraphQLJSON, {
    description:
      "A TENSOR model's input tensors (name, dtype, shape; -1 = dynamic); for other kinds the same fields as `input`.",
  })
  inputs!: unknown;

  @Field(() => GraphQLJSON, { description: "As `inputs`, for what a task returns." })
  outputs!: unknown;

  @Field(() => [String], {
    nullable: true,
    description: "A character-level language model's characters: a prompt with others is refused at submit.",
  })
  vocabulary?: string[] | undefined;

  @Field(() => TokenAmountScalar, { description: "Per call (the unit price when pricing is per call)." })
  pricePerCall!: bigint;

  @Field(() => ModelPricingType)
  pricing!: ModelPricingType;

  @Field(() => ModelVerificationType)
  verification!: ModelVerificationType;
}

export const ModelConnection = Connection("Model", ModelType);

export function toModelType(m: Model): ModelType {
  const p = pricingOf(m.manifest);
  return {
    id: m.id,
    name: m.name,
    version: m.version,
    description: m.manifest.description,
    ...declared(m.manifest),
    vocabulary: m.manifest.vocabulary,
    pricePerCall: m.pricePerCall,
    pricing: { unit: p.unit, price: BigInt(p.price), maxUnits: p.maxUnits, escrow: escrowOf(p) },
    verification: verificationOfModel(m.manifest),
  };
}

const tensorField = (t: TensorSpec): TaskField => ({
  name: t.name,
  type: `${t.dtype}[${t.shape.join(",")}]`,
  description: "A tensor as nested arrays of numbers (-1: any length).",
});

/** What a task of this model takes and returns, by its kind. */
function declared(
  manifest: ModelManifest,
): Pick<ModelType, "kind" | "input" | "output" | "inputs" | "outputs"> {
  const kind = taskKindOf(manifest);
  const fields: Record<typeof kind, [readonly TaskField[], readonly TaskField[]]> = {
    tensor: [manifest.inputs.map(tensorField), manifest.outputs.map(tensorField)],
    generate: [GENERATE_INPUT_FIELDS, GENERATE_OUTPUT_FIELDS],
    ocr: [OCR_INPUT_FIELDS, OCR_OUTPUT_FIELDS],
    vad: [VAD_INPUT_FIELDS, VAD_OUTPUT_FIELDS],
  };
  const [input, output] = fields[kind];
  const tensor = kind === "tensor";
  return {
    kind: kindEnumOf(kind),
    input: [...input],
    output: [...output],
    inputs: tensor ? manifest.inputs : input,
    outputs: tensor ? manifest.outputs : output,
  };
}
