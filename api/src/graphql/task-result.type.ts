/**
 * A task's result typed by its model's task kind (task-kind.ts in @neurogrid/schema), next to
 * Task.result (the stored JSON): Task.ocr for an OCR task, Task.vad for speech detection,
 * Task.generation for a language model's. Each is null for tasks of other kinds and until the
 * task has completed.
 */
import { type OcrTaskResult, type TaskField, type TaskKind, type VadTaskResult } from "@neurogrid/schema";
import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";

export enum TaskKindEnum {
  TENSOR = "tensor",
  GENERATE = "generate",
  OCR = "ocr",
  VAD = "vad",
}

registerEnumType(TaskKindEnum, {
  name: "TaskKind",
  description:
    "What a model's tasks take and return. TENSOR: named tensors in, named tensors out (Task.result). GENERATE: { prompt, maxTokens?, temperature?, seed? } in, streamed tokens and Task.generation out. OCR: { image: base64 PNG or JPEG } in, Task.ocr out. VAD: { audio: base64 WAV, or 16 kHz mono pcm_s16le with format } in, Task.vad out.",
});

const KIND_ENUM: Readonly<Record<TaskKind, TaskKindEnum>> = {
  tensor: TaskKindEnum.TENSOR,
  generate: TaskKindEnum.GENERATE,
  ocr: TaskKindEnum.OCR,
  vad: TaskKindEnum.VAD,
};

export const kindEnumOf = (kind: TaskKind): TaskKindEnum => KIND_ENUM[kind];

@ObjectType("TaskField", {
  description: "One field of what a model's task takes (input) or returns (output).",
})
export class TaskFieldType implements TaskField {
  @Field(() => String)
  name!: string;

  @Field(() => String, {
    description: 'GraphQL-style type ("String!", "[OcrLine!]!") or a tensor\'s dtype and shape.',
  })
  type!: string;

  @Field(() => String)
  description!: string;
}

@ObjectType("OcrBox", { description: "A rectangle in the image, pixels from its top-left corner." })
class OcrBoxType {
  @Field(() => Float)
  x0!: number;

  @Field(() => Float)
  y0!: number;

  @Field(() => Float)
  x1!: number;

  @Field(() => Float)
  y1!: number;
}

@ObjectType("OcrLine", { description: "One recognised line of text." })
class OcrLineType {
  @Field(() => String)
  text!: string;

  @Field(() => Float, { description: "Mean probability of its characters, 0..1." })
  confidence!: number;

  @Field(() => OcrBoxType)
  box!: OcrBoxType;
}

@ObjectType("OcrResult", { description: "What an OCR task read: its lines, top to bottom." })
export class OcrResultType implements OcrTaskResult {
  @Field(() => String, { description: "The lines' texts joined by newlines." })
  text!: string;

  @Field(() => [OcrLineType])
  lines!: OcrLineType[];

  @Field(() => Int, { description: "The image's width, pixels." })
  width!: number;

  @Field(() => Int, { description: "The image's height, pixels." })
  height!: number;
}

@ObjectType("SpeechSegment", { description: "A stretch of speech in the clip." })
class SpeechSegmentType {
  @Field(() => Float)
  startMs!: number;

  @Field(() => Float)
  endMs!: number;

  @Field(() => Float, { description: "Mean speech probability of its frames, 0..1." })
  probability!: number;
}

@ObjectType("VadResult", { description: "Where the speech is in a clip (voice activity detection)." })
export class VadResultType implements VadTaskResult {
  @Field(() => Float, { description: "The clip's length." })
  durationMs!: number;

  @Field(() => [SpeechSegmentType], { description: "In order; empty when there is no speech." })
  segments!: SpeechSegmentType[];
}

@ObjectType("GenerationResult", { description: "A language model's finished output." })
export class GenerationResultType {
  @Field(() => String)
  text!: string;

  @Field(() => String, { description: "stop or length." })
  finishReason!: string;
}
