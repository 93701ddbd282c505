import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { Task } from "../db/entities/index.js";
import { notFound } from "../errors.js";
import { submitTask } from "../tasks/submit-task.js";
import type { ApiContext } from "./context.js";
import { isUuid } from "./ids.js";
import { SubmitTaskInput } from "./task.input.js";
import { TaskProgressEventType, TaskType, toTaskType } from "./task.type.js";
import { subscribeTaskProgress } from "./task-progress.js";

@Resolver(() => TaskType)
export class TaskResolver {
  @Authorized()
  @Query(() => TaskType, { description: "One of your tasks. Someone else's task is NOT_FOUND." })
  async task(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext): Promise<TaskType> {
    const task = isUuid(id) ? await ctx.em.findOne(Task, id, { populate: ["model"] }) : null;
    if (!task || task.account.id !== ctx.account?.id) throw notFound(`task ${id}`);
    return toTaskType(task);
  }

  @Authorized("client")
  @Mutation(() => TaskType, {
    description: "Validates the input, holds the price in escrow and queues the task.",
  })
  async submitTask(
    @Arg("input", () => SubmitTaskInput) input: SubmitTaskInput,
    @Ctx() ctx: ApiContext,
  ): Promise<TaskType> {
    const account = ctx.account;
    if (!account) throw new Error("authChecker let an anonymous caller through");
    const task = await submitTask(ctx.em, ctx.services, account, input);
    return toTaskType(task);
  }

  @Subscription(() => TaskProgressEventType, {
    description: "The task's states, from QUEUED to its final state (catches up first).",
    subscribe: ({ args, context }) => subscribeTaskProgress(context as ApiContext, String(args.taskId)),
  })
  taskProgress(
    @Root() event: TaskProgressEventType,
    @Arg("taskId", () => ID) _taskId: string,
  ): TaskProgressEventType {
    return event;
  }
}
