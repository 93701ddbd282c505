import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { verificationOf } from "../verification/verification-store.js";
import type { ApiContext } from "./context.js";
import { TaskType } from "./task.type.js";
import { TaskVerificationType } from "./task-verification.type.js";

/** `Task.verification`: read when asked for, as whoever may read the task may read it. */
@Resolver(() => TaskType)
export class TaskVerificationResolver {
  @FieldResolver(() => TaskVerificationType, {
    description: "The result's verification: UNCHECKED unless the task was chosen for a check.",
  })
  async verification(@Root() task: TaskType, @Ctx() ctx: ApiContext): Promise<TaskVerificationType> {
    const { status, checkedBy, referee, verdict } = await verificationOf(ctx.em, task.id);
    return { status, checkedBy, referee, verdict };
  }
}
