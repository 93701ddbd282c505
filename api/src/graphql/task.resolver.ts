import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import { Model, Task } from "../db/entities/index.js";
import { ApiError, badInput, notFound } from "../errors.js";
import { cancelTask } from "../tasks/cancel-task.js";
import { submitTask } from "../tasks/submit-task.js";
import { MAX_SUBMIT_TASKS, submitTasks } from "../tasks/submit-tasks.js";
import { requireCaller } from "./caller.js";
import { afterFilter, type ConnectionShape, pageSize, toConnection } from "./connection.js";
import type { ApiContext } from "./context.js";
import { isUuid } from "./ids.js";
import { TasksArgs } from "./task.args.js";
import { SubmitTaskInput } from "./task.input.js";
import { TaskConnection, TaskProgressEventType, TaskType, toTaskType } from "./task.type.js";
import { subscribeTaskProgress } from "./task-progress.js";

@Resolver(() => TaskType)
export class TaskResolver {
  @Authorized("scope:tasks:read")
  @Query(() => TaskType, { description: "One of your tasks. Someone else's task is NOT_FOUND." })
  async task(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext): Promise<TaskType> {
    const { account } = requireCaller(ctx);
    const task = isUuid(id) ? await ctx.em.findOne(Task, id) : null;
    if (!task || (account.role !== "admin" && task.account.id !== account.id)) throw notFound(`task ${id}`);
    return toTaskType(task, await this.#model(ctx, task));
  }

  @Authorized("scope:tasks:read")
  @Query(() => TaskConnection, { description: "Your tasks, newest first (an admin sees everyone's)." })
  async tasks(
    @Args(() => TasksArgs) args: TasksArgs,
    @Ctx() ctx: ApiContext,
  ): Promise<ConnectionShape<TaskType>> {
    const { account } = requireCaller(ctx);
    const n = pageSize(args.first);
    const f = args.filter;
    if (f?.accountId !== undefined && account.role !== "admin")
      throw new ApiError("FORBIDDEN", "accountId is for admins");
    if (f?.accountId !== undefined && !isUuid(f.accountId)) throw badInput("accountId is not an id");
    const where: Record<string, unknown> = {};
    if (account.role !== "admin") where.account = account.id;
    else if (f?.accountId) where.account = f.accountId;
    if (f?.status?.length) where.status = { $in: f.status };
    if (f?.model) where.model = { name: f.model };
    const rows = await ctx.em.find(
      Task,
      { ...where, ...afterFilter(args.after) },
      { orderBy: { createdAt: "desc", id: "desc" }, limit: n + 1 },
    );
    const total = await ctx.em.count(Task, where);
    const models = await ctx.loaders.model.loadMany([...new Set(rows.map((t) => t.model.id))]);
    const byId = new Map(models.filter((m): m is Model => m instanceof Model).map((m) => [m.id, m]));
    return toConnection(rows, n, total, Boolean(args.after), (t) =>
      toTaskType(t, byId.get(t.model.id) as Model),
    );
  }

  @Authorized("client", "scope:tasks:write")
  @Mutation(() => TaskType, {
    description: "Validates the input, holds the price in escrow and queues the task.",
  })
  async submitTask(
    @Arg("input", () => SubmitTaskInput) input: SubmitTaskInput,
    @Ctx() ctx: ApiContext,
  ): Promise<TaskType> {
    const { accountId } = requireCaller(ctx);
    const task = await submitTask(ctx.em, ctx.services, accountId, input);
    return toTaskType(task, await this.#model(ctx, task));
  }

  @Authorized("client", "scope:tasks:write")
  @Mutation(() => [TaskType], {
    description:
      `Submits many tasks at once (at most ${MAX_SUBMIT_TASKS}), all or nothing: each input is ` +
      "validated as submitTask does, and the first bad one refuses the whole call (BAD_USER_INPUT, " +
      "or its own error, naming it: inputs[i], extensions.index); then the escrow of every task is " +
      "held in one movement per task, all in one database statement (INSUFFICIENT_FUNDS if the " +
      "balance does not cover the total: nothing is written). The tasks come back in input order. " +
      "An idempotency key works per task as in submitTask. Counts one rate-limit token per task.",
  })
  async submitTasks(
    @Arg("inputs", () => [SubmitTaskInput]) inputs: SubmitTaskInput[],
    @Ctx() ctx: ApiContext,
  ): Promise<TaskType[]> {
    const { accountId } = requireCaller(ctx);
    if (inputs.length > MAX_SUBMIT_TASKS) throw badInput(`at most ${MAX_SUBMIT_TASKS} tasks per call`);
    await ctx.moreTokens?.(inputs.length - 1);
    const tasks = await submitTasks(ctx.em, ctx.services, accountId, inputs);
    const models = await Promise.all(tasks.map((task) => this.#model(ctx, task)));
    return tasks.map((task, i) => toTaskType(task, models[i] as Model));
  }

  @Authorized("client", "scope:tasks:write")
  @Mutation(() => TaskType, { description: "Cancels a task that has not finished and refunds its escrow." })
  async cancelTask(@Arg("id", () => ID) id: string, @Ctx() ctx: ApiContext): Promise<TaskType> {
    const { account } = requireCaller(ctx);
    if (!isUuid(id)) throw notFound(`task ${id}`);
    const task = await cancelTask(ctx.em, ctx.services, account, id);
    return toTaskType(task, await this.#model(ctx, task));
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

  async #model(ctx: ApiContext, task: Task): Promise<Model> {
    const model = await ctx.loaders.model.load(task.model.id);
    if (!model) throw new Error(`task ${task.id} has no model ${task.model.id}`);
    return model;
  }
}
