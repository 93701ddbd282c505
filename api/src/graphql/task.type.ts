import {
  type OcrTaskResult,
  TaskStatus,
  taskKindOf,
  type VadTaskResult,
  VerificationStatus,
} from "@neurogrid/schema";
import { GraphQLJSONObject } from "graphql-scalars";
import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import type { Model, Task } from "../db/entities/index.js";
import { Connection } from "./connection.js";
import { TokenAmountScalar } from "./scalars.js";
import {
  GenerationResultType,
  kindEnumOf,
  OcrResultType,
  TaskKindEnum,
  VadResultType,
} from "./task-result.type.js";

registerEnumType(TaskStatus, { name: "TaskStatus", description: "A task's lifecycle state." });

@ObjectType("TaskCost", { description: "What a task cost, and how the price was split." })
export class TaskCostType {
  @Field(() => TokenAmountScalar, { description: "Price captured from the client." })
  total!: bigint;

  @Field(() => String, { description: "Units charged for: calls, output tokens or compute milliseconds." })
  units!: string;

  @Field(() => TokenAmountScalar, { description: "Platform fee (part of total)." })
  platformFee!: bigint;

  @Field(() => TokenAmountScalar, { description: "Credited to the provider whose node ran it." })
  providerEarning!: bigint;
}

@ObjectType("TaskProgressEvent")
export class TaskProgressEventType {
  @Field(() => ID)
  taskId!: string;

  @Field(() => TaskStatus)
  status!: TaskStatus;

  @Field(() => Date)
  at!: Date;

  @Field(() => String, { nullable: true })
  message?: string | undefined;

  @Field(() => String, {
    nullable: true,
    description:
      "A token a streaming model produced (status RUNNING), sent as it is produced; live subscribers only: the finished task's result holds the whole output.",
  })
  token?: string | undefined;

  @Field(() => Int, { nullable: true, description: "The token's position in the output, from 0." })
  tokenIndex?: number | undefined;

  @Field(() => VerificationStatus, {
    nullable: true,
    description:
      "A move of the result's verification (status COMPLETED): SAMPLED, then VERIFIED, or DISPUTED then RESOLVED.",
  })
  verification?: VerificationStatus | undefined;
}

@ObjectType("Task")
export class TaskType {
  @Field(() => ID)
  id!: string;

  @Field(() => TaskStatus)
  status!: TaskStatus;

  @Field(() => String)
  model!: string;

  @Field(() => String)
  modelVersion!: string;

  @Field(() => Int)
  priority!: number;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | undefined;

  @Field(() => GraphQLJSONObject)
  input!: Record<string, unknown>;

  @Field(() => TaskKindEnum, { description: "Its model's task kind: which typed result it has." })
  kind!: TaskKindEnum;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: "The stored result: output tensors by name (TENSOR), or the typed result's JSON.",
  })
  result?: Record<string, unknown> | undefined;

  @Field(() => OcrResultType, { nullable: true, description: "An OCR task's lines, once completed." })
  ocr?: OcrResultType | undefined;

  @Field(() => VadResultType, {
    nullable: true,
    description: "A speech detection task's segments, once completed.",
  })
  vad?: VadResultType | undefined;

  @Field(() => GenerationResultType, {
    nullable: true,
    description: "A language model's output, once final.",
  })
  generation?: GenerationResultType | undefined;

  @Field(() => String, { nullable: true })
  error?: string | undefined;

  @Field(() => Boolean, {
    description:
      "The client asked for its result to be checked (submitTask's verify): always checked while another provider can.",
  })
  verificationRequested!: boolean;

  @Field(() => TokenAmountScalar, { description: "Held in escrow at submission." })
  maxPrice!: bigint;

  @Field(() => TaskCostType, { nullable: true, description: "Set once the task is final." })
  cost?: TaskCostType | undefined;

  @Field(() => String, { nullable: true, description: "cpu, cuda or webgpu: where the model ran." })
  executionProvider?: string | undefined;

  @Field(() => String, { nullable: true })
  nodeId?: string | undefined;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  scheduledAt?: Date | undefined;

  @Field(() => Date, { nullable: true })
  startedAt?: Date | undefined;

  @Field(() => Date, { nullable: true })
  finishedAt?: Date | undefined;

  @Field(() => Float, { nullable: true, description: "Model run time inside the actor." })
  inferenceMs?: number | undefined;

  @Field(() => Float, { nullable: true, description: "From submission to the final state." })
  latencyMs?: number | undefined;

  @Field(() => [TaskProgressEventType], { description: "The states the task passed, in order." })
  events!: TaskProgressEventType[];
}

/** The stored result, and the typed field of its kind (when there is a result). */
function typedResult(
  kind: ReturnType<typeof taskKindOf>,
  result: Record<string, unknown> | undefined,
): Pick<TaskType, "kind" | "result" | "ocr" | "vad" | "generation"> {
  const typed = { kind: kindEnumOf(kind), result };
  if (!result || Object.keys(result).length === 0) return typed;
  if (kind === "ocr") return { ...typed, ocr: result as unknown as OcrTaskResult };
  if (kind === "vad") return { ...typed, vad: result as unknown as VadTaskResult };
  if (kind === "generate" && typeof result.text === "string")
    return { ...typed, generation: { text: result.text, finishReason: String(result.finishReason ?? "") } };
  return typed;
}

/** The states a task has passed, from its timestamps: what a late subscriber catches up on. */
export function taskHistory(task: Task): TaskProgressEventType[] {
  const events: TaskProgressEventType[] = [
    { taskId: task.id, status: TaskStatus.QUEUED, at: task.createdAt },
  ];
  if (task.scheduledAt) events.push({ taskId: task.id, status: TaskStatus.SCHEDULED, at: task.scheduledAt });
  if (task.startedAt) events.push({ taskId: task.id, status: TaskStatus.RUNNING, at: task.startedAt });
  if (task.finishedAt) {
    events.push({
      taskId: task.id,
      status: task.status,
      at: task.finishedAt,
      message: task.error ?? undefined,
    });
  }
  return events;
}

export const TaskConnection = Connection("Task", TaskType);

export function toTaskType(task: Task, model: Model): TaskType {
  const final = task.cost !== undefined && task.cost !== null;
  return {
    id: task.id,
    status: task.status,
    model: model.name,
    modelVersion: model.version,
    priority: task.priority,
    idempotencyKey: task.idempotencyKey ?? undefined,
    input: task.input,
    ...typedResult(taskKindOf(model.manifest), task.result ?? undefined),
    error: task.error ?? undefined,
    verificationRequested: task.verify === true,
    maxPrice: task.maxPrice,
    cost: final
      ? {
          total: task.cost ?? 0n,
          units: String(task.units ?? 0n),
          platformFee: task.platformFee ?? 0n,
          providerEarning: task.providerEarning ?? 0n,
        }
      : undefined,
    executionProvider: task.executionProvider ?? undefined,
    nodeId: task.nodeId ?? undefined,
    attempts: task.attempts,
    createdAt: task.createdAt,
    scheduledAt: task.scheduledAt ?? undefined,
    startedAt: task.startedAt ?? undefined,
    finishedAt: task.finishedAt ?? undefined,
    inferenceMs: task.inferenceMs ?? undefined,
    latencyMs: task.finishedAt ? task.finishedAt.getTime() - task.createdAt.getTime() : undefined,
    events: taskHistory(task),
  };
}
